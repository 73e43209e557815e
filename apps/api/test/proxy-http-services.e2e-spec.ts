import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

const ECHO_SERVER = join(__dirname, 'fixtures', 'http-echo-server.mjs');

/** `http` services: the child is an HTTP server of its own, reverse-proxied under /mcp/<service>. */
describe('MCP proxy: reverse-proxied http services', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${running.env.apiKey}` });

  async function register(name: string, args: string[]): Promise<void> {
    await registerService(running, { name, transport: 'http', process: { command: process.execPath, args, healthCheckIntervalSec: 0 } });
    await eventually(async () => {
      // Running means spawned; wait until the child's own server answers too.
      const probe = await fetch(`${running.baseUrl}/mcp/${name}/headers`, { headers: auth() });
      if (probe.status === 502 || probe.status === 503) throw new Error(`child not listening yet (${probe.status})`);
    });
  }

  beforeAll(async () => {
    running = await startApp();
    await register('web', [ECHO_SERVER]);
    await register('everything-http', [EVERYTHING_SERVER, 'streamableHttp']);
    await register('everything-sse', [EVERYTHING_SERVER, 'sse']);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  it('forwards to the child without our credentials, with X-Forwarded-* set', async () => {
    const response = await fetch(`${running.baseUrl}/mcp/web/headers?x=1`, {
      headers: { ...auth(), 'x-api-key': running.env.apiKey, cookie: 'a=b' },
    });
    expect(response.status).toBe(200);
    const seen = (await response.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/headers?x=1');
    expect(seen.headers['authorization']).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers['cookie']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(JSON.stringify(seen)).not.toContain(running.env.apiKey);
  });

  it('still requires our key', async () => {
    expect((await fetch(`${running.baseUrl}/mcp/web/headers`)).status).toBe(401);
  });

  it('streams SSE unbuffered: the first event arrives long before the stream ends', async () => {
    const started = Date.now();
    const response = await fetch(`${running.baseUrl}/mcp/web/stream`, { headers: auth() });
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('tick 1');
    // The stream ends after 1.5 s (five ticks 300 ms apart): buffered, nothing would arrive before then.
    expect(first).not.toContain('tick 5');
    expect(Date.now() - started).toBeLessThan(1200);
    await reader.cancel();
  });

  it('upgrades WebSockets to the child', async () => {
    const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/mcp/web/echo`, { headers: auth() });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('hello'));
      socket.once('message', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    expect(reply).toBe('echo: hello');
    socket.close();
  });

  it('never hands the child a credential from the URL: ?token= on a WebSocket upgrade or a request stays with the proxy', async () => {
    const key = encodeURIComponent(running.env.apiKey);
    const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/mcp/web/echo?token=${key}&keep=1`);
    const seen = await new Promise<{ url: string; headers: Record<string, string> }>((resolve, reject) => {
      socket.once('open', () => socket.send('request'));
      socket.once('message', (data) => resolve(JSON.parse(data.toString())));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
    socket.close();
    expect(seen.url).toBe('/echo?keep=1');
    expect(JSON.stringify(seen)).not.toContain(running.env.apiKey);

    const response = await fetch(`${running.baseUrl}/mcp/web/headers?a=1&token=${key}&b=%20two`, { headers: auth() });
    const plain = (await response.json()) as { url: string };
    expect(plain.url).toBe('/headers?a=1&b=%20two');
    expect(JSON.stringify(plain)).not.toContain(running.env.apiKey);
  });

  it('serves a Streamable HTTP MCP child at /mcp/<service> to the SDK client', async () => {
    const mcp = await connectClient(running.baseUrl, 'everything-http', running.env.apiKey, 'streamable');
    clients.push(mcp);
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: 'through http-proxy' } }))).toContain('through http-proxy');
  });

  it('serves a legacy SSE MCP child, moving its announced endpoint under the prefix', async () => {
    const mcp = await connectClient(running.baseUrl, 'everything-sse', running.env.apiKey, 'sse');
    clients.push(mcp);
    expect(textOf(await mcp.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }))).toContain('3');
  });
});
