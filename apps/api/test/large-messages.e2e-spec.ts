import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient, EVERYTHING_SERVER, textOf, TransportKind } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

/**
 * Large messages are relayed as the bytes they came in (read by their envelope only): a client
 * sees exactly what a full parse and re-serialization gave, on every transport and both reply
 * forms, and a large body that is not valid JSON-RPC still gets its -32700 or -32600.
 */
describe('Large messages through the proxy', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  // Escapes, non-ASCII and a surrogate pair, repeated past the size from which messages travel as bytes.
  const payload = `quote " backslash \\ tab \t newline \n é ü 😀 € ${'x'.repeat(200)} `.repeat(3000);

  const post = (body: string | Buffer, accept = 'application/json, text/event-stream'): Promise<Response> =>
    fetch(`${running.baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.env.apiKey}`, 'content-type': 'application/json', accept },
      body,
    });

  beforeAll(async () => {
    running = await startApp({ JWT_SECRET: 'j'.repeat(40), ENCRYPTION_KEY: 'ab'.repeat(32) });
    await registerService(running, {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 0 },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  it.each<TransportKind>(['streamable', 'sse', 'websocket'])(
    'echoes a %s message of about 700 kB intact',
    async (kind) => {
      const mcp = await connectClient(running.baseUrl, 'everything', running.env.apiKey, kind);
      clients.push(mcp);
      for (let round = 0; round < 3; round++) {
        const message = `${round} ${payload}`;
        expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message } }))).toBe(`Echo: ${message}`);
      }
    },
    120_000,
  );

  it.each([
    ['JSON', 'application/json'],
    ['SSE', 'text/event-stream'],
  ])(
    'answers a large one-shot call under its own id with a %s reply',
    async (_name, accept) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 'big-1',
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: payload } },
      });
      const response = await post(body, accept);
      expect(response.status).toBe(200);
      const text = await response.text();
      const json = accept === 'application/json' ? text : (text.split('\n').find((line) => line.startsWith('data: ')) ?? '').slice(6);
      const answer = JSON.parse(json) as { id: unknown; result: unknown };
      expect(answer.id).toBe('big-1');
      expect(textOf(answer.result)).toBe(`Echo: ${payload}`);
    },
    60_000,
  );

  it('refuses a large body that is not JSON with -32700, and one that is not JSON-RPC with -32600', async () => {
    const broken = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"${'x'.repeat(100_000)}}}}`;
    const notJson = await post(broken);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: number } }).error.code).toBe(-32700);

    const wrongVersion = JSON.stringify({
      jsonrpc: '1.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: payload } },
    });
    const notRpc = await post(wrongVersion);
    expect(notRpc.status).toBe(400);
    expect(await notRpc.json()).toMatchObject({ id: 2, error: { code: -32600 } });

    const control = Buffer.from(
      `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"${'y'.repeat(100_000)}\u0001"}}}`,
    );
    const rawControl = await post(control);
    expect(rawControl.status).toBe(400);
    expect(((await rawControl.json()) as { error: { code: number } }).error.code).toBe(-32700);
  }, 60_000);
});
