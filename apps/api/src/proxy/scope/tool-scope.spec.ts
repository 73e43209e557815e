import type { Principal } from '../../core/auth/principal';
import type { ServiceRoute } from '../routing/route-table';
import { MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import { filterToolList, refusedListOnly, refusedToolCall, serviceAllowed, sessionScopeOf, toolPredicateOf } from './tool-scope';

const client = (scope: Principal['scope']): Principal => ({ kind: 'client', id: 'client-token:1', role: 'viewer', scope });
const route = (kind: 'service' | 'group', name: string): ServiceRoute => ({ id: `id-${name}`, name, kind }) as ServiceRoute;

describe('tool scope', () => {
  it.each([
    [undefined, 'anything', true],
    [['echo'], 'echo', true],
    [['echo'], 'get-sum', false],
    [['*__echo'], 'everything__echo', true],
    [[], 'echo', false],
  ])('tools %j let %s through: %s', (tools, name, allowed) => {
    const predicate = toolPredicateOf(client(tools === undefined ? {} : { tools }));
    expect(predicate === null ? true : predicate(name)).toBe(allowed);
  });

  it.each([
    [undefined, route('service', 'everything'), true],
    [['everything'], route('service', 'everything'), true],
    [['id-everything'], route('service', 'everything'), true],
    [['everything'], route('service', 'other'), false],
    [['everything'], route('group', 'pair'), false],
    [['g/pair'], route('group', 'pair'), true],
    [['all'], { ...route('group', 'all'), id: 'all' }, false],
    [['g/all'], { ...route('group', 'all'), id: 'all' }, true],
  ])('services %j and route %j: %s', (services, target, allowed) => {
    expect(serviceAllowed(client(services ? { services } : {}), target)).toBe(allowed);
  });

  it('filters a tools/list answer and leaves other answers alone', () => {
    const answer = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'echo' }, { name: 'get-sum' }], nextCursor: 'x' } };
    expect(filterToolList(answer, (name) => name === 'echo')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { tools: [{ name: 'echo' }], nextCursor: 'x' },
    });
    const error = { jsonrpc: '2.0' as const, id: 1, error: { code: -1, message: 'no' } };
    expect(filterToolList(error, () => false)).toBe(error);
  });

  it('refuses a call outside the list with a JSON-RPC error naming the tool', () => {
    expect(refusedToolCall(7, { name: 'echo' }, (name) => name === 'echo')).toBeNull();
    expect(refusedToolCall(7, { name: 'get-env' }, (name) => name === 'echo')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32602, message: 'Tool "get-env" is not allowed for this client' },
    });
    expect(refusedToolCall(7, {}, () => true)).not.toBeNull();
  });

  it.each<[string, Principal, boolean]>([
    ['a named viewer', { kind: 'user', id: 'user:v', role: 'viewer', scope: { services: ['notes'] } }, true],
    ['a named operator', { kind: 'user', id: 'user:o', role: 'operator' }, false],
    ['a named admin', { kind: 'user', id: 'user:a', role: 'admin' }, false],
    ['the API key', { kind: 'admin', id: 'admin', role: 'admin' }, false],
    ['a UI session of the API key', { kind: 'session', id: 'session:1', role: 'admin' }, false],
    ['a client token (role viewer, for the REST API only)', client({ tools: ['echo'] }), false],
  ])('%s opens sessions that may only list: %s', (_who, principal, listOnly) => {
    const scope = sessionScopeOf(principal);
    expect(scope.listOnly === true).toBe(listOnly);
    expect({ services: scope.services, tools: scope.tools }).toEqual({
      services: principal.scope?.services,
      tools: principal.scope?.tools,
    });
  });

  it.each([
    [MCP_METHODS.INITIALIZE, {}, false, true],
    [MCP_METHODS.PING, {}, false, true],
    [MCP_METHODS.TOOLS_LIST, {}, false, true],
    [MCP_METHODS.RESOURCES_LIST, {}, false, true],
    [MCP_METHODS.RESOURCES_TEMPLATES_LIST, {}, false, true],
    [MCP_METHODS.PROMPTS_LIST, {}, false, true],
    [MCP_METHODS.TOOLS_CALL, { name: 'echo' }, false, false],
    [MCP_METHODS.TOOLS_CALL, { name: 'search_tools' }, false, false],
    [MCP_METHODS.TOOLS_CALL, { name: 'search_tools', arguments: { query: 'x' } }, true, true],
    [MCP_METHODS.TOOLS_CALL, { name: 'call_tool', arguments: { name: 'echo' } }, true, false],
    [MCP_METHODS.RESOURCES_READ, { uri: 'demo://a' }, false, false],
    [MCP_METHODS.RESOURCES_SUBSCRIBE, { uri: 'demo://a' }, false, false],
    [MCP_METHODS.PROMPTS_GET, { name: 'p' }, false, false],
    [MCP_METHODS.COMPLETION_COMPLETE, {}, false, false],
    [MCP_METHODS.LOGGING_SET_LEVEL, { level: 'debug' }, false, false],
    ['vendor/anything', {}, false, false],
  ])('a list-only session asking %s %j (tool search: %s) may go on: %s', (method, params, toolSearch, allowed) => {
    const refusal = refusedListOnly({ jsonrpc: '2.0', id: 3, method, params }, toolSearch);
    const refused = {
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32600, message: `${method} refused: viewers may list but not call: ask an operator or use a client token` },
    };
    expect(refusal).toEqual(allowed ? null : refused);
  });
});
