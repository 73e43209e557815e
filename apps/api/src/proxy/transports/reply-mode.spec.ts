import type { JsonRpcRequest } from '@mcp-proxy/mcp/protocol';
import { replyMode } from './streamable-http.transport';

const call = (params: Record<string, unknown> = {}): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'x', ...params },
});
const list: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
const both = { json: true, sse: true };

describe('replyMode', () => {
  it.each([
    ['auto', both, call(), {}, 'json'],
    ['auto', both, call({ _meta: { progressToken: 't' } }), {}, 'sse'],
    ['auto', both, call(), { sampling: {} }, 'sse'],
    ['auto', both, call(), { elicitation: { form: {} } }, 'sse'],
    ['auto', both, list, { sampling: {} }, 'json'],
    ['json', both, call({ _meta: { progressToken: 't' } }), { sampling: {} }, 'json'],
    ['sse', both, list, {}, 'sse'],
    ['auto', { json: false, sse: true }, list, {}, 'sse'],
    ['sse', { json: true, sse: false }, call(), {}, 'json'],
  ] as const)('%s, accepts %j, %j, client %j → %s', (configured, accepts, request, capabilities, expected) => {
    expect(replyMode(configured, accepts, request, capabilities)).toBe(expected);
  });
});
