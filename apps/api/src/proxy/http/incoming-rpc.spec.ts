import { encodeMessageParts, type JsonRpcMessage, writtenCallback } from '@mcp-proxy/mcp/protocol';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBudget } from '../../core/http/body-budget';
import { LARGE_BODY_BYTES, readRpcMessage } from './incoming-rpc';

/** A tools/call whose body is `bytes` long (roughly): a large one is read within the budget. */
function call(id: number, bytes: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'z'.repeat(bytes) } } });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

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
      void readRpcMessage(request, response, budget).then((message) => {
        if (!message) return;
        read.push(message);
        open.push(response);
      });
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

  it('reads the next large body only once the one before was written on; small ones are never held up', async () => {
    const first = post(call(1, LARGE_BODY_BYTES));
    await until(() => read.length === 1, 'the first large body');
    const second = post(call(2, LARGE_BODY_BYTES));
    void post(call(3, 100));
    await until(() => read.some((message) => 'id' in message && message.id === 3), 'the small body');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(read.map((message) => ('id' in message ? message.id : null))).toEqual([1, 3]);

    // The transport wrote the first one to its server: its bytes are no longer held, the next may come in.
    writtenCallback(encodeMessageParts(read[0]))?.();
    await until(() => read.length === 3, 'the second large body');
    expect('id' in read[2] && read[2].id).toBe(2);

    for (const response of open) response.end('{}');
    await Promise.all([first, second]);
    expect(budget.reserved).toBe(0);
  });

  it('gives the bytes of a large body back when its exchange ends without it being written (a refused call)', async () => {
    const answer = post('{"jsonrpc":"2.0","id":1,' + '"params":{"text":"' + 'q'.repeat(LARGE_BODY_BYTES) + '"}}');
    // Not a request (no method): answered 400 at once.
    expect((await answer).status).toBe(400);
    await until(() => budget.reserved === 0, 'the bytes to come back');
  });
});
