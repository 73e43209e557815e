import { JsonRpcMessage, JsonRpcPeer, JsonRpcRequest, SERVER_UNAVAILABLE, type WireMessage, wireText } from '@mcp-proxy/mcp/protocol';
import { Logger } from '@nestjs/common';
import { ClientSession, InFlight } from '../sessions/client-session';
import type { MessageSink } from '../sessions/message-sink';
import { SharedUpstream } from './shared-upstream';

/**
 * A shared upstream's answer path when something throws: a transport whose send throws, a client sink
 * that throws while the answer is delivered. Neither may leave the client waiting for ever nor become an
 * unhandled rejection (which stops the process); the normal path is covered by the e2e suites.
 */

class Sink implements MessageSink {
  readonly streaming = true;
  readonly closed = false;
  readonly messages: JsonRpcMessage[] = [];
  throws = false;
  send(message: JsonRpcMessage): boolean {
    if (this.throws) throw new Error('socket gone');
    this.messages.push(message);
    return true;
  }
}

function setUp(send: (text: WireMessage) => boolean) {
  const peer = new JsonRpcPeer({ send });
  const upstream = new SharedUpstream({
    peer,
    serviceId: 'svc',
    serviceName: 'everything',
    sessions: () => [],
    cacheSettings: () => ({ lists: false, toolResultTtlMs: 0 }),
    clientInfo: { name: 'test', version: '1' },
    initializeTimeoutMs: 0,
  });
  const session = new ClientSession('s', 'svc', 'admin', 'streamable-http', '2025-11-25');
  const sink = new Sink();
  const request: JsonRpcRequest = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: {} } };
  const entry = session.begin(request, sink) as InFlight;
  return { peer, upstream, session, sink, request, entry };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SharedUpstream when sending or delivering throws', () => {
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers the client as for a closed connection when the transport throws on send', async () => {
    const { upstream, session, sink, request, entry } = setUp((text) => {
      if (wireText(text).includes('tools/call')) throw new Error('write after end');
      return true;
    });
    upstream.forward(session, entry, request, 0);
    await settled();
    expect(sink.messages).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: SERVER_UNAVAILABLE, message: 'Connection closed' } }]);
    expect(session.inflightCount).toBe(0);
    expect(upstream.inflight).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('write after end'));
  });

  it('logs an answer the client sink throws on, instead of leaving an unhandled rejection', async () => {
    const sent: string[] = [];
    const { peer, upstream, session, sink, request, entry } = setUp((text) => sent.push(wireText(text)) > 0);
    upstream.forward(session, entry, request, 0);
    const outgoing = sent.map((text) => JSON.parse(text) as JsonRpcRequest).find((message) => message.method === 'tools/call');
    sink.throws = true;
    peer.receiveMessage({ jsonrpc: '2.0', id: outgoing?.id ?? -1, result: { content: [] } });
    await settled();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('socket gone'));
    expect(upstream.inflight).toBe(0);
  });
});
