import WebSocket from 'ws';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

/** Idle MCP streams with a short heartbeat (STREAM_HEARTBEAT_MS), as an hour of idle would see them at 15 s. */
describe('Heartbeats on idle MCP streams', () => {
  const HEARTBEAT_MS = 200;
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    await registerService(running, {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 0 },
    });
  }, 60_000);

  afterAll(async () => running?.close());

  const wsUrl = (token: string) => `${running.baseUrl.replace('http', 'ws')}/mcp/ws?service=everything&token=${token}`;
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  };

  it('writes a comment line on an idle legacy SSE stream every interval, and the session still answers after', async () => {
    const controller = new AbortController();
    const response = await fetch(`${running.baseUrl}/mcp/everything/sse`, {
      headers: { authorization: `Bearer ${running.env.apiKey}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 10_000;
    while ((text.match(/^: keep-alive$/gm)?.length ?? 0) < 3 && Date.now() < deadline) text += decoder.decode((await reader.read()).value);
    expect(text.match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(3);

    const endpoint = /event: endpoint\ndata: (.*)\n/.exec(text)?.[1] as string;
    const posted = await fetch(`${running.baseUrl}${endpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.env.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(initialize),
    });
    expect(posted.status).toBe(202);
    while (!text.includes('"serverInfo"') && Date.now() < deadline) text += decoder.decode((await reader.read()).value);
    expect(text).toContain('"serverInfo"');
    controller.abort();
  }, 20_000);

  it('pings an idle WebSocket every interval; a client that answers stays connected and is answered', async () => {
    const ws = new WebSocket(wsUrl(running.env.apiKey), 'mcp');
    let pings = 0;
    ws.on('ping', () => pings++);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    // Three beats are due within ~4 intervals; a loaded machine gets until the deadline (a bound, not the expectation).
    const deadline = Date.now() + 10_000;
    while (pings < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(ws.readyState).toBe(WebSocket.OPEN);

    const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send(JSON.stringify(initialize));
    expect(JSON.parse(await reply)).toMatchObject({ id: 1, result: { serverInfo: expect.any(Object) } });
    ws.close();
  }, 20_000);

  it('cuts off a WebSocket peer that answers no ping', async () => {
    const ws = new WebSocket(wsUrl(running.env.apiKey), 'mcp', { autoPong: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), HEARTBEAT_MS * 20));

    // Two pings go unanswered, the third beat terminates the connection (1006: no close frame).
    expect(await Promise.race([closed, timeout])).toBe(1006);
  }, 20_000);
});
