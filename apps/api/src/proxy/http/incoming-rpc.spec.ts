import { encodeMessageParts, type JsonRpcMessage, parseMessageBytes, writtenCallback } from '@mcp-proxy/mcp/protocol';
import { type ClientRequest, createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBudget } from '../../core/http/body-budget';
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';
import { until } from '../testing/fakes';
import { handedOn, LARGE_BODY_BYTES, readRpcMessage } from './incoming-rpc';

/** A tools/call whose body is `bytes` long (roughly): a large one is read within the budget. */
function call(id: number, bytes: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'z'.repeat(bytes) } } });
}

/** Generous: a large body over loopback on a busy machine. */
const SETTLE_MS = 10_000;

describe('readRpcMessage', () => {
  let server: Server;
  let url: string;
  let budget: BodyBudget;
  const read: JsonRpcMessage[] = [];
  const open: ServerResponse[] = [];

  beforeEach(async () => {
    read.length = 0;
    open.length = 0;
    // Room for one large body at a time.
    budget = new BodyBudget(LARGE_BODY_BYTES + 64 * 1024, 60_000);
    server = createServer((request, response) => {
      // Answers stay open, like calls waiting for their server, until the test ends them.
      readRpcMessage(request, response, budget).then(
        (message) => {
          if (!message) return;
          read.push(message);
          open.push(response);
        },
        // A client that went away mid-body: the request fails, as the transports see it.
        () => undefined,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    for (const response of open) response.end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: string): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  /** A POST whose answer the test does not wait for (the server side is what it looks at). */
  const background = (body: string): void => void post(body).catch(() => undefined);

  it('reads the next large body only once the one before was written on; small ones are never held up', async () => {
    const first = post(call(1, LARGE_BODY_BYTES));
    await until(() => read.length === 1, 'the first large body', SETTLE_MS);
    const second = post(call(2, LARGE_BODY_BYTES));
    background(call(3, 100));
    await until(() => read.some((message) => 'id' in message && message.id === 3), 'the small body', SETTLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(read.map((message) => ('id' in message ? message.id : null))).toEqual([1, 3]);

    // The transport wrote the first one to its server: its bytes are no longer held, the next may come in.
    writtenCallback(encodeMessageParts(read[0]))?.();
    await until(() => read.length === 3, 'the second large body', SETTLE_MS);
    expect('id' in read[2] && read[2].id).toBe(2);

    for (const response of open) response.end('{}');
    await Promise.all([first, second]);
    expect(budget.reserved).toBe(0);
  });

  /** A POST without Content-Length: its body goes chunked, its size unknown until it ends. */
  function chunked(body: string): ClientRequest {
    const sending = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    sending.on('error', () => undefined);
    sending.on('response', (answer) => answer.resume());
    for (let at = 0; at < body.length; at += 256 * 1024) sending.write(body.slice(at, at + 256 * 1024));
    sending.end();
    return sending;
  }

  it('holds a chunked body back once it turns out large, counted as the largest it may grow to; a small one goes through', async () => {
    background(call(1, LARGE_BODY_BYTES));
    await until(() => read.length === 1, 'the first large body', SETTLE_MS);
    chunked(call(2, 2 * LARGE_BODY_BYTES));
    chunked(call(3, 100));
    await until(() => read.some((message) => 'id' in message && message.id === 3), 'the small chunked body', SETTLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(read.map((message) => ('id' in message ? message.id : null))).toEqual([1, 3]);

    writtenCallback(encodeMessageParts(read[0]))?.();
    await until(() => read.length === 3, 'the large chunked body', SETTLE_MS);
    expect('id' in read[2] && read[2].id).toBe(2);
    expect(budget.reserved).toBe(MAX_MESSAGE_BYTES);
    writtenCallback(encodeMessageParts(read[2]))?.();
    expect(budget.reserved).toBe(0);
  });

  it.each([
    ['declares a large body and sends a little of it', { 'content-length': String(LARGE_BODY_BYTES + 100) }, '{"jsonrpc":"2.0","id":2,'],
    ['sends a body without a length past 1 MiB (chunked)', {}, call(2, 2 * LARGE_BODY_BYTES).slice(0, LARGE_BODY_BYTES + 1000)],
  ])('gives the bytes back of a client that %s and goes away while it waits', async (_what, headers: Record<string, string>, sent) => {
    background(call(1, LARGE_BODY_BYTES));
    await until(() => read.length === 1, 'the first large body', SETTLE_MS);
    const leaving = httpRequest(url, { method: 'POST', headers });
    leaving.on('error', () => undefined);
    leaving.write(sent);
    await new Promise((resolve) => setTimeout(resolve, 200));
    leaving.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    writtenCallback(encodeMessageParts(read[0]))?.();
    await until(() => budget.reserved === 0, 'the bytes to come back', SETTLE_MS);
    // The budget is free: the next large body is read at once.
    background(call(3, LARGE_BODY_BYTES));
    await until(() => read.length === 2, 'the next large body', SETTLE_MS);
    expect(read.map((message) => ('id' in message ? message.id : null))).toEqual([1, 3]);
  });

  it('gives the bytes of a large body back when its exchange ends without it being written (a refused call)', async () => {
    const answer = post('{"jsonrpc":"2.0","id":1,' + '"params":{"text":"' + 'q'.repeat(LARGE_BODY_BYTES) + '"}}');
    // Not a request (no method): answered 400 at once.
    expect((await answer).status).toBe(400);
    await until(() => budget.reserved === 0, 'the bytes to come back', SETTLE_MS);
  });
});

describe('handedOn', () => {
  afterEach(() => jest.useRealTimers());

  const parsed = (text: string): JsonRpcMessage => {
    const result = parseMessageBytes(Buffer.from(text));
    if (!result.ok || result.kind === 'batch') throw new Error('not one message');
    return result.message;
  };
  const notification = (bytes: number): JsonRpcMessage =>
    parsed(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/large', params: { blob: 'n'.repeat(bytes) } }));
  const settled = async (promise: Promise<void>): Promise<boolean> => {
    let done = false;
    void promise.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('resolves at once for a small message, once written for a large one, and after the longest wait for one never written', async () => {
    jest.useFakeTimers();
    expect(await settled(handedOn(notification(10)))).toBe(true);

    const written = notification(LARGE_BODY_BYTES);
    const writing = handedOn(written);
    expect(await settled(writing)).toBe(false);
    writtenCallback(encodeMessageParts(written))?.();
    expect(await settled(writing)).toBe(true);

    const dropped = handedOn(notification(LARGE_BODY_BYTES));
    jest.advanceTimersByTime(4_900);
    expect(await settled(dropped)).toBe(false);
    jest.advanceTimersByTime(200);
    expect(await settled(dropped)).toBe(true);
  });
});
