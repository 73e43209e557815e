import { request as httpRequest } from 'node:http';
import { EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

/** Bad input on the data plane: each answered with the right status and a JSON-RPC error, nothing crashes. */
describe('MCP proxy: bad input and refusals', () => {
  let running: RunningApp;
  let url: string;
  const key = (): Record<string, string> => ({ authorization: `Bearer ${running.env.apiKey}`, 'content-type': 'application/json' });

  async function post(
    body: string,
    headers: Record<string, string> = key(),
    path = '/mcp/everything',
  ): Promise<{ status: number; body: { error?: { code: number; message: string }; id?: unknown } }> {
    const response = await fetch(`${running.baseUrl}${path}`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  }

  async function initialize(headers: Record<string, string>): Promise<string> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json, text/event-stream' },
      body: initializeRequest('t', '2025-11-25'),
    });
    expect(response.status).toBe(200);
    return response.headers.get('mcp-session-id') as string;
  }

  beforeAll(async () => {
    running = await startApp();
    url = `${running.baseUrl}/mcp/everything`;
    await registerService(running, {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 100 },
    });
    await registerService(running, {
      name: 'idle',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      start: false,
    });
  }, 60_000);

  afterAll(() => running?.close());

  it('malformed JSON → 400 with -32700', async () => {
    expect(await post('{"jsonrpc": "2.0", "id": 1, "method": ')).toMatchObject({ status: 400, body: { error: { code: -32700 } } });
  });

  it.each([
    ['a JSON array (batch)', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'],
    ['a JSON value that is not JSON-RPC', '{"hello":"world"}'],
    ['a wrong jsonrpc version', '{"jsonrpc":"1.0","id":1,"method":"ping"}'],
    ['a number', '42'],
  ])('%s → 400 with -32600', async (_label, body) => {
    expect(await post(body)).toMatchObject({ status: 400, body: { error: { code: -32600 } } });
  });

  it('a 10 MB body → 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'x'.repeat(10 * 1024 * 1024) } },
    });
    expect((await post(big)).status).toBe(413);
  });

  it('a missing or wrong key → 401 with WWW-Authenticate and a JSON-RPC error body', async () => {
    const missing = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/API key/);
    const wrong = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', {
      authorization: 'Bearer not-the-key',
      'content-type': 'application/json',
    });
    expect(wrong.status).toBe(401);
  });

  it("another principal's session id → 404", async () => {
    const sessionId = await initialize(key());
    const login = await running.api().post('/api/auth/login').send({ apiKey: running.env.apiKey }).expect(201);
    const other = { authorization: `Bearer ${login.body.token}`, 'content-type': 'application/json', 'mcp-session-id': sessionId };
    const response = await post('{"jsonrpc":"2.0","id":2,"method":"tools/list"}', other);
    expect(response.status).toBe(404);
    const own = await post('{"jsonrpc":"2.0","id":2,"method":"tools/list"}', { ...key(), 'mcp-session-id': sessionId });
    expect(own.status).toBe(200);
  });

  it('an unknown session id → 404, and a deleted session is gone', async () => {
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { ...key(), 'mcp-session-id': 'nope' })).status).toBe(404);
    const sessionId = await initialize(key());
    const deleted = await fetch(url, { method: 'DELETE', headers: { ...key(), 'mcp-session-id': sessionId } });
    expect(deleted.status).toBe(200);
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { ...key(), 'mcp-session-id': sessionId })).status).toBe(404);
  });

  it('a bad Origin (DNS rebinding) → 403', async () => {
    const response = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { ...key(), origin: 'http://evil.example' });
    expect(response.status).toBe(403);
  });

  it('an IP-literal Origin or Host is allowed only for loopback and configured addresses', async () => {
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    for (const origin of ['http://127.0.0.1:3437', 'http://127.8.9.10', 'http://[::1]:3437', 'http://localhost:4200']) {
      expect({ origin, status: (await post(ping, { ...key(), origin })).status }).toEqual({ origin, status: 200 });
    }
    // A page on some other address (a LAN device, an attacker's server by IP) is not one of ours.
    for (const origin of ['http://203.0.113.7', 'http://192.0.2.1:8080', 'http://[2001:db8::1]']) {
      expect({ origin, status: (await post(ping, { ...key(), origin })).status }).toEqual({ origin, status: 403 });
    }
    const foreignHost = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST', headers: { ...key(), host: '203.0.113.7:8437' } }, (response) =>
        resolve(response.statusCode ?? 0),
      );
      request.on('error', reject);
      request.end(ping);
    });
    expect(foreignHost).toBe(403);

    // Once configured (ALLOWED_HOSTS takes IP addresses too), that address is ours.
    await running
      .api()
      .patch('/api/settings')
      .set('X-API-Key', running.env.apiKey)
      .send({ ALLOWED_HOSTS: ['203.0.113.7'] })
      .expect(200);
    expect((await post(ping, { ...key(), origin: 'http://203.0.113.7' })).status).toBe(200);
    await running.api().delete('/api/settings/ALLOWED_HOSTS').set('X-API-Key', running.env.apiKey).expect(200);
    expect((await post(ping, { ...key(), origin: 'http://203.0.113.7' })).status).toBe(403);
  });

  it('an unknown service → 404, a stopped one → 503 naming its status', async () => {
    const unknown = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', key(), '/mcp/no-such-service');
    expect(unknown.status).toBe(404);
    const stopped = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', key(), '/mcp/idle');
    expect(stopped).toMatchObject({ status: 503, body: { error: { message: expect.stringContaining('stopped') } } });
  });

  it('GET without a session → 400; GET on a stateless (2026-07-28) request → 405', async () => {
    expect((await fetch(url, { headers: { ...key(), accept: 'text/event-stream' } })).status).toBe(400);
    expect((await fetch(url, { headers: { ...key(), accept: 'text/event-stream', 'mcp-protocol-version': '2026-07-28' } })).status).toBe(
      405,
    );
  });

  it('stateless 2026-07-28 POST: missing Mcp-Method header → 400 -32020; a correct one is served', async () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: meta } });
    const base = { ...key(), accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' };
    expect(await post(body, base)).toMatchObject({ status: 400, body: { error: { code: -32020 } } });
    const served = await post(body, { ...base, 'mcp-method': 'tools/list' });
    expect(served.status).toBe(200);
    expect((served.body as { result?: { tools?: unknown[] } }).result?.tools?.length).toBeGreaterThan(0);
    const discover = await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'server/discover', params: { _meta: meta } }), {
      ...base,
      'mcp-method': 'server/discover',
    });
    expect(discover.body).toMatchObject({
      result: { supportedVersions: expect.arrayContaining(['2026-07-28']), capabilities: expect.any(Object) },
    });
  });

  it('over the rate limit → 429 with Retry-After and a JSON-RPC error', async () => {
    await running
      .api()
      .patch('/api/services/everything')
      .set('X-API-Key', running.env.apiKey)
      .send({ proxy: { rateLimit: 3 } })
      .expect(200);
    // The limit counts work (tools/call and the like); ping is housekeeping with a ceiling ten times higher.
    const work = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}}}';
    const call = (): Promise<{ status: number; body: { error?: { code: number } } }> => post(work);
    await eventually(async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call()).status);
      if (!statuses.includes(429)) throw new Error(`no 429 in ${statuses}`);
    });
    const limited = await fetch(url, { method: 'POST', headers: key(), body: work });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: number } }).error.code).toBe(-31002);
    await running
      .api()
      .patch('/api/services/everything')
      .set('X-API-Key', running.env.apiKey)
      .send({ proxy: { rateLimit: 0 } })
      .expect(200);
  });

  it('a burst of credential-less requests (OAuth discovery, scanners) locks nobody out', async () => {
    const bare = { 'content-type': 'application/json' };
    for (let i = 0; i < 40; i++) expect((await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', bare)).status).toBe(401);
    expect((await post('{"jsonrpc":"2.0","id":2,"method":"tools/list"}')).status).toBe(200);
  });

  it('a JSON-RPC frame carrying __proto__ and constructor keys is passed as data, and pollutes nothing', async () => {
    const frame =
      '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"p"},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}';
    const answer = await post(frame);
    expect(answer.status).toBe(200);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('an oversized body sent in chunks gets its 413, not a reset connection', async () => {
    const chunk = 'x'.repeat(1024 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const response = await fetch(url, { method: 'POST', headers: key(), body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('still serves after all of that', async () => {
    const ok = await post('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"message":"alive"}}}');
    expect(ok.status).toBe(200);
  });
});
