import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './support/built-app';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { RecordingFront, RemoteEverything, startRecordingFront, startRemoteEverything } from './support/remote-mcp';
import { eventually, registerService, RunningApp, startApp, waitForStatus } from './support/running-app';

const REMOTE_SECRET = 'remote-token-3f9c1e7a5b';

/**
 * Remote upstreams: server-everything in its own HTTP modes on loopback, served through the proxy
 * like a child (same endpoints, groups, status), with the remote's credentials kept sealed.
 */
describe('remote MCP servers (transport "remote")', () => {
  // Each step waits on real servers and the network: allow for a busy machine.
  let running: RunningApp;
  let streamable: RemoteEverything;
  let legacy: RemoteEverything;
  let front: RecordingFront;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function client(path: string, capabilities?: { sampling: Record<string, never> }): Promise<Client> {
    const connected = capabilities
      ? await connectWithSampling(running.baseUrl, path, running.env.apiKey)
      : await connectClient(running.baseUrl, path, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  beforeAll(async () => {
    [streamable, legacy] = await Promise.all([
      freePort().then((port) => startRemoteEverything('streamableHttp', port)),
      freePort().then((port) => startRemoteEverything('sse', port)),
    ]);
    front = await startRecordingFront(streamable.port);
    running = await startApp();
    await registerService(running, { name: 'local', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await registerService(running, {
      name: 'far',
      transport: 'remote',
      remote: { url: `${front.url}/mcp`, headers: { Authorization: 'Bearer ${REMOTE_TOKEN}', 'X-Tenant': 'acme' } },
      environment: { REMOTE_TOKEN: REMOTE_SECRET },
      process: { healthCheckIntervalSec: 1 },
    });
    await registerService(running, {
      name: 'far-sse',
      transport: 'remote',
      remote: { url: `http://127.0.0.1:${legacy.port}/sse`, protocol: 'sse' },
    });
    await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'mixed', members: [{ service: 'far' }, { service: 'local' }] })
      .expect(201);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
    await Promise.allSettled([streamable?.stop(), legacy?.stop(), front?.close()]);
  }, 30_000);

  it('shows the remote in the service view with its secret sealed, and refuses unsafe settings naming the field', async () => {
    const view = (
      await running
        .api()
        .get('/api/services/far')
        .set(...key())
        .expect(200)
    ).body;
    expect(view).toMatchObject({
      transport: 'remote',
      status: 'running',
      pid: null,
      remote: { url: `${front.url}/mcp`, protocol: 'streamable-http' },
    });
    expect(view.remote.headers).toEqual({ Authorization: 'Bearer ${REMOTE_TOKEN}', 'X-Tenant': '********' });
    const all = JSON.stringify(
      (
        await running
          .api()
          .get('/api/services')
          .set(...key())
          .expect(200)
      ).body,
    );
    expect(all).not.toContain(REMOTE_SECRET);
    expect(all).not.toContain('acme');

    const insecure = await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({ name: 'plain', transport: 'remote', remote: { url: 'http://mcp.example.com/mcp' } });
    expect(insecure.status).toBe(400);
    expect(insecure.body.message.join(' ')).toMatch(/remote\.url must be https/);
    const optedIn = await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({ name: 'plain', transport: 'remote', remote: { url: 'http://mcp.example.com/mcp', allowInsecureHttp: true } });
    expect(optedIn.status).toBe(201);
    const missing = await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({ name: 'nothing', transport: 'remote' });
    expect(missing.status).toBe(400);
    expect(missing.body.message.join(' ')).toMatch(/remote is required/);
    const reserved = await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({
        name: 'bad-header',
        transport: 'remote',
        remote: { url: 'https://mcp.example.com/mcp', headers: { 'Mcp-Session-Id': 'x' } },
      });
    expect(reserved.status).toBe(400);
    expect(reserved.body.message.join(' ')).toMatch(/remote\.headers\.Mcp-Session-Id is set by the proxy/);
  });

  it('serves tools, progress and sampling from a Streamable HTTP remote, sending its credentials and never the client token', async () => {
    const mcp = await client('far', { sampling: {} });
    const tools = (await mcp.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: 'over there' } }))).toBe('Echo: over there');

    const progress: number[] = [];
    await mcp.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([1, 2, 3]);

    mcp.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled far away' },
    }));
    const sampled = await mcp.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 10 } });
    expect(JSON.stringify(sampled)).toContain('sampled far away');

    const posts = front.seen.filter((seen) => seen.method === 'POST');
    expect(posts.length).toBeGreaterThan(3);
    for (const seen of front.seen) {
      expect(seen.headers['authorization']).toBe(`Bearer ${REMOTE_SECRET}`);
      expect(seen.headers['x-tenant']).toBe('acme');
      expect(JSON.stringify(seen.headers)).not.toContain(running.env.apiKey);
    }
    // The remote's own session is carried, and its GET stream is open for server-initiated messages.
    expect(posts.at(-1)?.headers['mcp-session-id']).toMatch(/.+/);
    expect(front.seen.some((seen) => seen.method === 'GET' && seen.headers['accept'] === 'text/event-stream')).toBe(true);
  });

  it('serves a legacy SSE (2024-11-05) remote', async () => {
    const mcp = await client('far-sse');
    expect(textOf(await mcp.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: 'via sse' } }))).toBe('Echo: via sse');
  });

  it('serves a remote in a group beside a stdio member; when the remote goes away it fails alone, and it comes back when the remote does', async () => {
    const mcp = await client('g/mixed');
    const names = (await mcp.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['far__echo', 'local__echo']));
    expect(textOf(await mcp.callTool({ name: 'far__echo', arguments: { message: 'a' } }))).toBe('Echo: a');
    expect(textOf(await mcp.callTool({ name: 'local__echo', arguments: { message: 'b' } }))).toBe('Echo: b');

    const port = streamable.port;
    await streamable.stop();
    await eventually(async () => {
      const status = (
        await running
          .api()
          .get('/api/services/far')
          .set(...key())
          .expect(200)
      ).body.status;
      if (status !== 'restarting' && status !== 'crashed') throw new Error(`far is ${status}`);
    }, 10_000);
    const failed = await mcp.callTool({ name: 'far__echo', arguments: { message: 'gone?' } }).then(
      (result) => JSON.stringify(result),
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/far/);
    expect(failed).not.toContain('Echo: gone?');
    expect(textOf(await mcp.callTool({ name: 'local__echo', arguments: { message: 'still here' } }))).toBe('Echo: still here');

    streamable = await startRemoteEverything('streamableHttp', port);
    await waitForStatus(running, 'far', 'running', 20_000);
    await eventually(
      async () => {
        expect(textOf(await mcp.callTool({ name: 'far__echo', arguments: { message: 'back' } }))).toBe('Echo: back');
      },
      10_000,
      200,
    );
    const direct = await client('far');
    expect(textOf(await direct.callTool({ name: 'echo', arguments: { message: 'reconnected' } }))).toBe('Echo: reconnected');
  }, 60_000);

  it('follows a redirect on the same origin, and never sends the credential headers to another origin', async () => {
    // A remote that moved: `/here` → `/mcp` on its own origin, `/moved` → another origin (a recording front).
    const elsewhere = await startRecordingFront(streamable.port);
    const mover = await startRedirector(streamable.port, `${elsewhere.url}/mcp`);
    try {
      const headers = { Authorization: 'Bearer ${REMOTE_TOKEN}', 'X-Api-Key': '${REMOTE_TOKEN}' };
      const environment = { REMOTE_TOKEN: REMOTE_SECRET };
      await registerService(running, {
        name: 'moved-here',
        transport: 'remote',
        remote: { url: `${mover.url}/here`, headers },
        environment,
      });
      const same = await client('moved-here');
      expect(textOf(await same.callTool({ name: 'echo', arguments: { message: 'followed' } }))).toBe('Echo: followed');

      await registerService(running, {
        name: 'moved-away',
        transport: 'remote',
        remote: { url: `${mover.url}/moved`, headers },
        environment,
        process: { maxRestarts: 1 },
        start: false,
      });
      await running
        .api()
        .post('/api/services/moved-away/start')
        .set(...key())
        .expect(200);
      await waitForStatus(running, 'moved-away', 'crashed', 20_000);
      const view = (
        await running
          .api()
          .get('/api/services/moved-away')
          .set(...key())
          .expect(200)
      ).body;
      expect(view.statusReason).toMatch(/redirect.*another origin/i);
      expect(JSON.stringify(view)).not.toContain(REMOTE_SECRET);
      expect(elsewhere.seen.filter((seen) => JSON.stringify(seen.headers).includes(REMOTE_SECRET))).toEqual([]);
    } finally {
      await Promise.allSettled([elsewhere.close(), mover.close()]);
    }
  });

  it('parks a remote that stays unreachable as crashed, with the reason', async () => {
    const port = await freePort();
    await registerService(running, {
      name: 'nowhere',
      transport: 'remote',
      remote: { url: `http://127.0.0.1:${port}/mcp` },
      process: { maxRestarts: 1 },
      start: false,
    });
    await running
      .api()
      .post('/api/services/nowhere/start')
      .set(...key())
      .expect(200);
    await waitForStatus(running, 'nowhere', 'crashed', 20_000);
    const view = (
      await running
        .api()
        .get('/api/services/nowhere')
        .set(...key())
        .expect(200)
    ).body;
    expect(view.statusReason).toMatch(/connection refused/);
    const answer = await running
      .api()
      .post('/mcp/nowhere')
      .set('Authorization', `Bearer ${running.env.apiKey}`)
      .set('Accept', 'application/json, text/event-stream')
      .send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
      });
    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).toMatch(/crashed/);
  }, 30_000);
});

/** `/here` → 308 to `/mcp` on the same origin, `/moved` → 307 to `away`; anything else is passed on to the remote. */
async function startRedirector(targetPort: number, away: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/here') return void res.writeHead(308, { location: '/mcp' }).end();
    if (req.url === '/moved') return void res.writeHead(307, { location: away }).end();
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function connectWithSampling(baseUrl: string, path: string, apiKey: string): Promise<Client> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'proxy-e2e', version: '1.0.0' }, { capabilities: { sampling: {} } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${path}`), {
      requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
    }),
  );
  return client;
}
