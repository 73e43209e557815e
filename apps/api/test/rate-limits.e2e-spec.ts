import { WebSocket } from 'ws';
import { connectClient, EVERYTHING_SERVER } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

const RATE_LIMITED = -31002;
jest.setTimeout(90_000);

interface RpcAnswer {
  status: number;
  retryAfter: string | null;
  body: {
    result?: unknown;
    error?: {
      code: number;
      message: string;
      data?: {
        limit?: string;
        perMinute?: number;
        retryAfter?: number;
        pattern?: string;
      };
    };
  };
}

/**
 * Rate limits count work, not protocol housekeeping: a client that reconnects and lists is never
 * refused for it, while `tools/call` and the other working methods count against the service's
 * limit, each tool's limit and the client token's own; a refusal names the limit and when to retry.
 */
describe('rate limits that count work', () => {
  let running: RunningApp;
  const everything = {
    command: process.execPath,
    args: [EVERYTHING_SERVER, 'stdio'],
  };
  const adminKey = (): Record<string, string> => ({
    authorization: `Bearer ${running.env.apiKey}`,
  });

  async function rpc(service: string, method: string, params: Record<string, unknown> = {}, headers = adminKey()): Promise<RpcAnswer> {
    const response = await fetch(`${running.baseUrl}/mcp/${service}`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as RpcAnswer['body'],
    };
  }

  const echo = (service: string, headers?: Record<string, string>): Promise<RpcAnswer> =>
    rpc(service, 'tools/call', { name: 'echo', arguments: { message: 'hi' } }, headers);

  /** The limits count in one-minute windows: a check that must not straddle two starts early in one. */
  async function freshWindow(): Promise<void> {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  }

  beforeAll(async () => {
    running = await startApp();
    const limits: Record<string, Record<string, unknown>> = {
      chatty: { rateLimit: 3 },
      tooled: { rateLimit: 100, toolLimits: { 'ec*': 2 } },
      metered: { rateLimit: 100 },
      pinged: { rateLimit: 3 },
    };
    for (const [name, proxy] of Object.entries(limits)) await registerService(running, { name, process: everything, proxy });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('reconnecting, listing and pinging many times over does not use up the limit of work', async () => {
    await freshWindow();
    // Each connection: initialize, notifications/initialized, tools/list, ping, DELETE — far more than 3 messages.
    for (let i = 0; i < 4; i++) {
      const client = await connectClient(running.baseUrl, 'chatty', running.env.apiKey, 'streamable');
      await client.listTools();
      await client.ping();
      await client.close();
    }
    for (let i = 0; i < 3; i++) expect((await echo('chatty')).status).toBe(200);
    const refused = await echo('chatty');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body.error).toMatchObject({
      code: RATE_LIMITED,
      data: {
        limit: 'service',
        perMinute: 3,
        retryAfter: Number(refused.retryAfter),
      },
    });
    expect(refused.body.error?.message).toMatch(/service.*3 .*per minute/);
  });

  it('housekeeping has its own ceiling, ten times the limit of work', async () => {
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await rpc('pinged', 'ping')).status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const refused = await rpc('pinged', 'ping');
    expect(refused.status).toBe(429);
    expect(refused.body.error?.data).toMatchObject({
      limit: 'housekeeping',
      perMinute: 30,
    });
  });

  it('a tool limit counts the calls of the tools it names only', async () => {
    await freshWindow();
    expect((await echo('tooled')).status).toBe(200);
    expect((await echo('tooled')).status).toBe(200);
    const refused = await echo('tooled');
    expect(refused.status).toBe(429);
    expect(refused.body.error?.data).toMatchObject({
      limit: 'tool',
      pattern: 'ec*',
      perMinute: 2,
    });
    expect(refused.body.error?.message).toMatch(/ec\*/);
    const other = await rpc('tooled', 'tools/call', {
      name: 'get-sum',
      arguments: { a: 1, b: 2 },
    });
    expect(other.status).toBe(200);
  });

  it('a client token with its own limit is refused past it, whatever the service allows', async () => {
    await freshWindow();
    const created = await running
      .api()
      .post('/api/client-tokens')
      .set('X-API-Key', running.env.apiKey)
      .send({ label: 'slow client', rateLimit: 2 })
      .expect(201);
    expect(created.body.rateLimit).toBe(2);
    const headers = { authorization: `Bearer ${String(created.body.token)}` };
    expect((await echo('metered', headers)).status).toBe(200);
    expect((await rpc('metered', 'tools/list', {}, headers)).status).toBe(200);
    expect((await echo('metered', headers)).status).toBe(200);
    const refused = await echo('metered', headers);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.data).toMatchObject({
      limit: 'client-token',
      perMinute: 2,
    });
    // The admin key on the same service is not held back by that token's budget.
    expect((await echo('metered')).status).toBe(200);
  });

  it('over a WebSocket the refusal is a JSON-RPC error naming the limit and the seconds to wait', async () => {
    await freshWindow();
    const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/mcp/ws?service=tooled&token=${running.env.apiKey}`);
    const answers = new Map<number, Record<string, unknown>>();
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number };
      if (typeof message.id === 'number') answers.set(message.id, message);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const send = async (id: number, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      const deadline = Date.now() + 10_000;
      while (!answers.has(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = answers.get(id);
      if (!answer) throw new Error(`no answer to ${id}`);
      return answer;
    };
    try {
      await send(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      });
      const results = [];
      for (let id = 2; id < 6; id++)
        results.push(
          await send(id, 'tools/call', {
            name: 'echo',
            arguments: { message: 'x' },
          }),
        );
      const refused = results.find((answer) => answer['error'] !== undefined) as
        | {
            error: {
              code: number;
              data: { limit: string; retryAfter: number };
            };
          }
        | undefined;
      expect(refused?.error).toMatchObject({
        code: RATE_LIMITED,
        data: { limit: 'tool', pattern: 'ec*' },
      });
      expect(refused?.error.data.retryAfter).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
  });

  it('refuses a bad tool limit or token limit with 400 naming the field', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['/api/services/metered', { proxy: { toolLimits: { 'ec*': -1 } } }, /proxy\.toolLimits/],
      ['/api/services/metered', { proxy: { toolLimits: { 'ec*': 'ten' } } }, /proxy\.toolLimits/],
      ['/api/services/metered', { proxy: { toolLimits: ['ec*'] } }, /proxy\.toolLimits/],
      ['/api/services/metered', { proxy: { toolLimits: { '': 3 } } }, /proxy\.toolLimits/],
    ];
    for (const [path, body, message] of cases) {
      const response = await running.api().patch(path).set('X-API-Key', running.env.apiKey).send(body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(response.body)).toMatch(message);
    }
    const token = await running.api().post('/api/client-tokens').set('X-API-Key', running.env.apiKey).send({ label: 'x', rateLimit: -5 });
    expect(token.status).toBe(400);
    expect(JSON.stringify(token.body)).toMatch(/rateLimit/);
    const kept = await running.api().get('/api/services/tooled').set('X-API-Key', running.env.apiKey).expect(200);
    expect(kept.body.proxy.toolLimits).toEqual({ 'ec*': 2 });
  });
});
