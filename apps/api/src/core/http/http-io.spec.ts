import { INVALID_REQUEST } from '@mcp-proxy/mcp/protocol';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_MESSAGE_BYTES, readMessageBody } from './http-io';

/** A loopback server that echoes the size of each MCP message it reads, the way the data plane and cluster forwarding read them. */
describe('readMessageBody', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      void readMessageBody(request, response).then((body) => {
        if (body) response.end(String(body.length));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('returns a message within the bound', async () => {
    const response = await fetch(url, { method: 'POST', body: Buffer.alloc(MAX_MESSAGE_BYTES) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(String(MAX_MESSAGE_BYTES));
  });

  it('answers a larger one with 413 and a JSON-RPC error a client can show', async () => {
    const response = await fetch(url, { method: 'POST', body: Buffer.alloc(MAX_MESSAGE_BYTES + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: INVALID_REQUEST, message: `Message larger than ${MAX_MESSAGE_BYTES} bytes` },
    });
  });
});
