import type { Principal } from '../../core/auth/principal';
import type { ServiceRoute } from '../routing/route-table';
import { filterToolList, refusedToolCall, serviceAllowed, toolPredicateOf } from './tool-scope';

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
});
