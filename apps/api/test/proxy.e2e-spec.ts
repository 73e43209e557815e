import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient, EVERYTHING_SERVER, textOf, TransportKind } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

const PROXY_SECRET_KEYS = ['API_KEY', 'JWT_SECRET', 'ENCRYPTION_KEY'];

describe('MCP proxy with the real server-everything', () => {
  let running: RunningApp;
  const clients: Client[] = [];

  const register = (name: string, extra: Record<string, unknown> = {}): Promise<void> =>
    registerService(running, {
      name,
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      // Unlimited: the 32-session test alone sends well over the default 100 requests a minute.
      proxy: { rateLimit: 0 },
      environment: { SERVICE_OWN_VAR: 'visible-to-child' },
      ...extra,
    });

  async function client(kind: TransportKind, service = 'everything'): Promise<Client> {
    const connected = await connectClient(running.baseUrl, service, running.env.apiKey, kind);
    clients.push(connected);
    return connected;
  }

  beforeAll(async () => {
    running = await startApp({ JWT_SECRET: 'j'.repeat(40), ENCRYPTION_KEY: 'ab'.repeat(32) });
    await register('everything');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  describe.each<TransportKind>(['streamable', 'sse', 'websocket'])('over %s', (kind) => {
    let mcp: Client;
    beforeAll(async () => (mcp = await client(kind)));

    it('lists tools and calls echo and get-sum', async () => {
      const { tools } = await mcp.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
      expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: `hello ${kind}` } }))).toContain(`hello ${kind}`);
      expect(textOf(await mcp.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');
    });

    it('relays progress of a long-running operation', async () => {
      const progress: number[] = [];
      const result = await mcp.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      expect(textOf(result)).toMatch(/completed/i);
      expect(progress).toEqual([1, 2, 3]);
    });

    it('reads a resource and gets a prompt', async () => {
      const { resources } = await mcp.listResources();
      expect(resources.length).toBeGreaterThan(0);
      const read = await mcp.readResource({ uri: resources[0].uri });
      expect(read.contents[0].uri).toBe(resources[0].uri);
      const prompt = await mcp.getPrompt({ name: 'simple-prompt' });
      expect(prompt.messages.length).toBeGreaterThan(0);
    });
  });

  it('answers a plain one-shot JSON-RPC POST with application/json (curl style)', async () => {
    const response = await fetch(`${running.baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${running.env.apiKey}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'one-shot' } } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { id: number; result: unknown };
    expect(body.id).toBe(7);
    expect(textOf(body.result)).toContain('one-shot');
  });

  it('keeps 32 concurrent sessions apart: each gets exactly its own echo', async () => {
    const sessions = await Promise.all(Array.from({ length: 32 }, () => client('streamable')));
    const replies = await Promise.all(
      sessions.map(async (session, index) => {
        const answers = await Promise.all(
          [0, 1, 2].map((n) => session.callTool({ name: 'echo', arguments: { message: `session-${index}-call-${n}` } })),
        );
        return answers.map(textOf);
      }),
    );
    replies.forEach((answers, index) => answers.forEach((text, n) => expect(text).toContain(`session-${index}-call-${n}`)));
    await Promise.all(sessions.map((session) => session.close()));
  }, 60_000);

  it('counts requests, errors, latency, sessions and cache hits per service (API and Prometheus)', async () => {
    const metrics = await running.api().get('/api/services/everything/metrics').set('X-API-Key', running.env.apiKey).expect(200);
    expect(metrics.body.proxy).toMatchObject({
      requests: expect.any(Number),
      byMethod: expect.objectContaining({ 'tools/call': expect.any(Number), 'tools/list': expect.any(Number) }),
      latencyMs: { p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number) },
      sessions: expect.any(Number),
    });
    expect(metrics.body.proxy.requests).toBeGreaterThan(100);
    // Every transport listed tools; the proxy had listed them once itself when the child started.
    expect(metrics.body.proxy.cache.hits).toBeGreaterThanOrEqual(3);
    const prometheus = await running.api().get('/metrics').set('X-API-Key', running.env.apiKey).expect(200);
    expect(prometheus.text).toMatch(/mcp_proxy_mcp_requests_total\{service="everything",method="tools\/call",outcome="ok"\} \d+/);
    expect(prometheus.text).toMatch(/mcp_proxy_mcp_cache_lookups_total\{service="everything",outcome="hit"\} \d+/);
  });

  it('never shows the proxy secrets to the child (get-env), only the service’s own variables', async () => {
    const mcp = await client('streamable');
    const env = textOf(await mcp.callTool({ name: 'get-env', arguments: {} }));
    expect(env).toContain('SERVICE_OWN_VAR');
    for (const key of PROXY_SECRET_KEYS) expect(env).not.toContain(key);
    expect(env).not.toContain(running.env.apiKey);
    expect(env).not.toContain('j'.repeat(40));
  });
});
