import { errorResponse, INVALID_PARAMS, REQUEST_TIMEOUT, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import { ClientSession } from '../sessions/client-session';
import { finishedCallOf, outcomeOf } from './call-record';

describe('outcomeOf', () => {
  it.each<[string, JsonRpcMessage | null, ReturnType<typeof outcomeOf>]>([
    ['a result', { jsonrpc: '2.0', id: 1, result: { content: [] } }, { outcome: 'ok', errorCode: null }],
    ['a result with isError: false', { jsonrpc: '2.0', id: 1, result: { isError: false } }, { outcome: 'ok', errorCode: null }],
    ['a tool error', { jsonrpc: '2.0', id: 1, result: { isError: true, content: [] } }, { outcome: 'tool_error', errorCode: null }],
    ['a JSON-RPC error', errorResponse(1, INVALID_PARAMS, 'Unknown tool'), { outcome: 'error', errorCode: INVALID_PARAMS }],
    ["the proxy's time-out", errorResponse(1, REQUEST_TIMEOUT, 'No response'), { outcome: 'timeout', errorCode: REQUEST_TIMEOUT }],
    ['no answer (dropped)', null, { outcome: 'cancelled', errorCode: null }],
  ])('%s', (_name, response, expected) => {
    expect(outcomeOf(response)).toEqual(expected);
  });
});

describe('finishedCallOf', () => {
  const endpoint = { id: 'svc-1', name: 'everything' };
  const answer: JsonRpcMessage = { jsonrpc: '2.0', id: 7, result: { content: [] } };

  function call(method: string, params: Record<string, unknown>) {
    const session = new ClientSession('s1', 'svc-1', 'user:u1', 'streamable-http', '2025-06-18');
    session.ownedBy({ kind: 'user', id: 'user:u1', role: 'operator', label: 'alice' });
    session.clientInfo = { name: 'claude', version: '1.2' };
    session.observer = { answered: () => undefined, keepsArguments: true };
    const entry = session.begin({ jsonrpc: '2.0', id: 7, method, params }, null);
    if (!entry) throw new Error('not begun');
    return { session, entry };
  }

  it('takes who, which client, which tool and how it ended, and the arguments by reference (nothing computed)', () => {
    const args = { message: 'secret-value' };
    const { session, entry } = call('tools/call', { name: 'echo', arguments: args });
    const finished = finishedCallOf(session, entry, answer, endpoint, false);
    expect(finished).toMatchObject({
      principalKind: 'user',
      principalId: 'user:u1',
      principalLabel: 'alice',
      clientInfo: { name: 'claude', version: '1.2' },
      endpointName: 'everything',
      serviceId: 'svc-1',
      serviceName: 'everything',
      method: 'tools/call',
      target: 'echo',
      memberTarget: undefined,
      outcome: 'ok',
      errorCode: null,
      response: null,
    });
    expect(finished?.args).toBe(args);
    expect(finished?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('hands the answer over only for a service that stores payloads', () => {
    const { session, entry } = call('tools/call', { name: 'echo', arguments: {} });
    expect(finishedCallOf(session, entry, answer, endpoint, true)?.response).toBe(answer);
  });

  it("names a group's member and the tool's original name; a dropped call is cancelled", () => {
    const { session, entry } = call('tools/call', { name: 'everything__echo', arguments: {} });
    entry.member = { serviceId: 'svc-2', serviceName: 'member', target: 'echo' };
    expect(finishedCallOf(session, entry, null, { id: 'group:g', name: 'g' }, true)).toMatchObject({
      endpointName: 'g',
      serviceId: 'svc-2',
      serviceName: 'member',
      target: 'everything__echo',
      memberTarget: 'echo',
      outcome: 'cancelled',
      response: null,
    });
  });

  it('does not record the lists', () => {
    const { session, entry } = call('tools/list', {});
    expect(finishedCallOf(session, entry, { jsonrpc: '2.0', id: 7, result: { tools: [] } }, endpoint, false)).toBeNull();
  });
});
