import { errorResponse, INVALID_PARAMS, REQUEST_TIMEOUT, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import { createHash } from 'node:crypto';
import { ClientSession } from '../sessions/client-session';
import { callRecordOf, canonicalJson, outcomeOf } from './call-record';

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

describe('canonicalJson', () => {
  it('sorts keys at every level, so the order a client wrote them in does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('callRecordOf', () => {
  const endpoint = { id: 'svc-1', name: 'everything' };

  function call(method: string, params: Record<string, unknown>) {
    const session = new ClientSession('s1', 'svc-1', 'user:u1', 'streamable-http', '2025-06-18');
    session.ownedBy({ kind: 'user', id: 'user:u1', role: 'operator', label: 'alice' });
    session.clientInfo = { name: 'claude', version: '1.2' };
    const entry = session.begin({ jsonrpc: '2.0', id: 7, method, params }, null);
    if (!entry) throw new Error('not begun');
    return { session, entry };
  }

  it('records who, which client, which tool, the outcome and a hash of the arguments, never the arguments', () => {
    const { session, entry } = call('tools/call', { name: 'echo', arguments: { message: 'secret-value', n: 1 } });
    const record = callRecordOf(session, entry, { jsonrpc: '2.0', id: 7, result: { content: [] } }, endpoint, new Date(0));
    expect(record).toMatchObject({
      principalKind: 'user',
      principalId: 'user:u1',
      principalLabel: 'alice',
      clientName: 'claude',
      clientVersion: '1.2',
      endpoint: 'everything',
      serviceId: 'svc-1',
      serviceName: 'everything',
      method: 'tools/call',
      tool: 'echo',
      originalTool: null,
      outcome: 'ok',
      errorCode: null,
      argumentsSha256: createHash('sha256').update('{"message":"secret-value","n":1}').digest('hex'),
    });
    expect(JSON.stringify(record)).not.toContain('secret-value');
    expect(record?.requestBytes).toBeGreaterThan('{"message":"secret-value","n":1}'.length);
  });

  it("names a group's member and the tool's original name", () => {
    const { session, entry } = call('tools/call', { name: 'everything__echo', arguments: {} });
    entry.member = { serviceId: 'svc-2', serviceName: 'member', target: 'echo' };
    const record = callRecordOf(session, entry, null, { id: 'group:g', name: 'g' }, new Date(0));
    expect(record).toMatchObject({
      endpoint: 'g',
      serviceId: 'svc-2',
      serviceName: 'member',
      tool: 'everything__echo',
      originalTool: 'echo',
    });
    expect(record?.outcome).toBe('cancelled');
  });

  it('records a resource read by its URI, without an arguments hash', () => {
    const { session, entry } = call('resources/read', { uri: 'test://static/resource/1' });
    expect(callRecordOf(session, entry, errorResponse(7, -32002, 'not found'), endpoint, new Date(0))).toMatchObject({
      tool: 'test://static/resource/1',
      argumentsSha256: null,
      outcome: 'error',
      errorCode: -32002,
    });
  });

  it('does not record the lists', () => {
    const { session, entry } = call('tools/list', {});
    expect(callRecordOf(session, entry, { jsonrpc: '2.0', id: 7, result: { tools: [] } }, endpoint, new Date(0))).toBeNull();
  });
});
