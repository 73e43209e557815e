import type { JsonRpcRequest } from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import type { FinishedCall } from '../metrics/call-record';
import type { ServiceRoute } from '../routing/route-table';
import type { UpstreamToolPins } from '../upstream/tool-pin-guard';
import { HttpServiceExchange, sseScreen, sseWatcher } from './http-service-exchange';

const route = { id: 'svc-1', name: 'web', proxy: { driftPolicy: 'block' } } as unknown as ServiceRoute;
const principal: Principal = { kind: 'client', id: 'client:1', role: 'operator', label: 'ci' };

function exchangeOf(
  request: JsonRpcRequest,
  pins: UpstreamToolPins | null = null,
): { exchange: HttpServiceExchange; recorded: FinishedCall[] } {
  const recorded: FinishedCall[] = [];
  const exchange = new HttpServiceExchange(request, {
    route,
    principal,
    clientInfo: { name: 'claude', version: '1.2' },
    pins,
    record: (call) => recorded.push(call),
    withPayload: false,
    listed: () => undefined,
  });
  return { exchange, recorded };
}

const call = (id: number, name = 'echo'): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: { m: 1 } },
});
const event = (message: unknown): string => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

describe('HttpServiceExchange', () => {
  it.each([
    ['ok', { jsonrpc: '2.0', id: 7, result: { content: [] } }, 'ok', null],
    ['isError', { jsonrpc: '2.0', id: 7, result: { content: [], isError: true } }, 'tool_error', null],
    ['a JSON-RPC error', { jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'bad' } }, 'error', -32602],
    ["the server's refusal with a null id", { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no session' } }, 'error', -32000],
  ])('records %s from an SSE answer split anywhere, after a progress notification', (_name, answer, outcome, errorCode) => {
    const { exchange, recorded } = exchangeOf(call(7));
    const text = event({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }) + event(answer);
    const feed = sseWatcher(exchange);
    for (let at = 0; at < text.length; at += 7) feed(Buffer.from(text.slice(at, at + 7)));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ outcome, errorCode, target: 'echo', principalLabel: 'ci', serviceName: 'web' });
    expect(recorded[0]?.responseChars).toBe(Buffer.byteLength(JSON.stringify(answer)));
    expect(recorded[0]?.args).toEqual({ m: 1 });
  });

  it('records a call cut before its answer as cancelled, or as timed out, once', () => {
    const cut = exchangeOf(call(1));
    cut.exchange.answered(null, undefined);
    cut.exchange.answered(null, undefined);
    expect(cut.recorded.map((row) => row.outcome)).toEqual(['cancelled']);
    const late = exchangeOf(call(2));
    late.exchange.timedOut = true;
    late.exchange.answered(null, undefined);
    expect(late.recorded.map((row) => row.outcome)).toEqual(['timeout']);
  });

  it('ignores answers to other ids, and records nothing for an answer that travels elsewhere', () => {
    const { exchange, recorded } = exchangeOf(call(3));
    exchange.watchMessage(JSON.stringify({ jsonrpc: '2.0', id: 4, result: {} }));
    expect(recorded).toEqual([]);
    exchange.abandon();
    exchange.answered(null, undefined);
    expect(recorded).toEqual([]);
  });

  it('screens an SSE tools/list: held tools are left out, other events pass with their ids', () => {
    const observed: unknown[] = [];
    const pins: UpstreamToolPins = {
      observe: (result) => observed.push(result),
      held: () => new Set(['upload']),
      blocking: () => true,
    };
    const { exchange, recorded } = exchangeOf({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }, pins);
    const tools = [{ name: 'echo' }, { name: 'upload' }];
    let out = '';
    const feed = sseScreen(exchange, (text) => (out += text));
    feed(Buffer.from(`: keep-alive\n\nid: e1\n${event({ jsonrpc: '2.0', id: 9, result: { tools } }).replace('event: message\n', '')}`));
    expect(observed).toEqual([{ tools }]);
    expect(out).toContain(': keep-alive');
    expect(out).toContain('id: e1');
    expect(out).toContain('"tools":[{"name":"echo"}]');
    expect(out).not.toContain('upload');
    // A list is not a call: nothing recorded.
    expect(recorded).toEqual([]);
  });
});
