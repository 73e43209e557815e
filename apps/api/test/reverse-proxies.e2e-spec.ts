import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { AuditPageView } from '@mcp-proxy/shared/dto';
import { request as httpRequest } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EVERYTHING_SERVER, initializeRequest, textOf } from './support/mcp-clients';
import { ReverseProxy, ReverseProxyKind, startReverseProxy, unavailableReason } from './support/reverse-proxy-servers';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';
import { fetchThrough, loopbackLookup, trustingWebSocket } from './support/tls-clients';

/**
 * The proxy behind nginx and Caddy, run from deploy/ as users are told to: every MCP transport
 * streams through them, OAuth metadata names the public https:// origin, and failed authentications
 * are counted per real client (TRUSTED_PROXIES), while forwarded headers from anyone else count for
 * nothing.
 */

const FAILURE_LIMIT = 3;
const ECHO_SERVER = join(__dirname, 'fixtures', 'http-echo-server.mjs');
const INITIALIZE = initializeRequest('rp-e2e');
const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** HTTPS through the reverse proxy from one loopback source address: one "client" on the internet. */
function clientFetch(proxy: ReverseProxy, localAddress: string): FetchLike {
  return fetchThrough(
    new Agent({
      ca: proxy.certificate,
      lookup: loopbackLookup,
      localAddress,
      keepAlive: false,
    }),
  );
}

/** Plain HTTP straight to the app from `localAddress`, bypassing the reverse proxy. */
function direct(
  port: number,
  localAddress: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        path,
        method: body === undefined ? 'GET' : 'POST',
        headers,
      },
      (incoming) => {
        let text = '';
        incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

describe.each<[string, ReverseProxyKind]>([
  ['nginx', 'nginx'],
  ['Caddy', 'caddy'],
])('behind %s (deploy/ configuration)', (_name, kind) => {
  const skipReason = unavailableReason(kind);
  if (skipReason) {
    // Printed, so a run without the package says why these did not run.
    console.warn(`Skipping the ${kind} e2e: ${skipReason}`);
    it.skip(`needs ${kind}`, () => undefined);
    return;
  }

  let running: RunningApp;
  let proxy: ReverseProxy;
  let appPort: number;
  const clients: Client[] = [];
  const endpoint = (): URL => new URL(`${proxy.publicOrigin}/mcp/everything`);
  const bearer = (): Record<string, string> => ({
    Authorization: `Bearer ${running.env.apiKey}`,
  });

  beforeAll(async () => {
    running = await startApp({
      // Only the reverse proxy's own address (it dials the app from 127.0.0.1); the test's clients come from 127.0.0.2 and up.
      TRUSTED_PROXIES: '127.0.0.1',
      ALLOWED_HOSTS: 'mcp.example.com',
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
    });
    appPort = (running.app.getHttpServer().address() as AddressInfo).port;
    const everything = {
      command: process.execPath,
      args: [EVERYTHING_SERVER, 'stdio'],
    };
    await registerService(running, { name: 'everything', process: everything });
    // OAuth metadata is published for `oauth` services whether or not they run.
    await registerService(running, {
      name: 'remote',
      process: everything,
      proxy: { rateLimit: 0, auth: 'oauth' },
      start: false,
    });
    // An `http` service: the child is an HTTP server of its own, which shows the headers it was sent.
    await registerService(running, {
      name: 'web',
      transport: 'http',
      process: {
        command: process.execPath,
        args: [ECHO_SERVER],
        healthCheckIntervalSec: 0,
      },
    });
    await eventually(async () =>
      expect((await running.api().get('/mcp/web/headers').set('X-API-Key', running.env.apiKey)).status).toBe(200),
    );
    proxy = await startReverseProxy(kind, appPort);
    (globalThis as { WebSocket?: unknown }).WebSocket = trustingWebSocket(proxy.certificate);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy?.stop();
    await running?.close();
  }, 30_000);

  it('Streamable HTTP: progress notifications arrive while the tool runs, not all at its end', async () => {
    const client = new Client({ name: 'rp-e2e', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(endpoint(), {
        requestInit: { headers: bearer() },
        fetch: clientFetch(proxy, '127.0.0.2'),
      }),
    );
    const progress: number[] = [];
    const arrivals: number[] = [];
    const result = await client.callTool(
      {
        name: 'trigger-long-running-operation',
        arguments: { duration: 3, steps: 3 },
      },
      undefined,
      {
        timeout: 30_000,
        onprogress: (update) => {
          progress.push(update.progress);
          arrivals.push(Date.now());
        },
      },
    );
    const finished = Date.now();
    expect(progress).toEqual([1, 2, 3]);
    expect(textOf(result)).toContain('completed');
    // One step a second: streamed, the first arrives about two seconds before the result; buffered, with it.
    expect(finished - arrivals[0]).toBeGreaterThanOrEqual(1000);
  }, 40_000);

  it('legacy SSE: the stream and its message endpoint work through the reverse proxy', async () => {
    const client = new Client({ name: 'rp-e2e', version: '1.0.0' });
    clients.push(client);
    const fetch = clientFetch(proxy, '127.0.0.2');
    await client.connect(
      new SSEClientTransport(new URL(`${proxy.publicOrigin}/mcp/everything/sse`), {
        requestInit: { headers: bearer() },
        eventSourceInit: {
          fetch: (url, init) =>
            fetch(url, {
              ...init,
              headers: {
                ...(init?.headers as Record<string, string>),
                ...bearer(),
              },
            }),
        },
        fetch,
      }),
    );
    expect(
      textOf(
        await client.callTool({
          name: 'echo',
          arguments: { message: 'through sse' },
        }),
      ),
    ).toContain('through sse');
    const progress: number[] = [];
    await client.callTool(
      {
        name: 'trigger-long-running-operation',
        arguments: { duration: 0.3, steps: 3 },
      },
      undefined,
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(progress).toEqual([1, 2, 3]);
  }, 30_000);

  it('WebSocket: the upgrade passes through and MCP works over wss://', async () => {
    const client = new Client({ name: 'rp-e2e', version: '1.0.0' });
    clients.push(client);
    const url = new URL(`${proxy.publicOrigin.replace(/^https/, 'wss')}/mcp/ws`);
    url.searchParams.set('service', 'everything');
    url.searchParams.set('token', running.env.apiKey);
    await client.connect(new WebSocketClientTransport(url));
    expect(
      textOf(
        await client.callTool({
          name: 'echo',
          arguments: { message: 'through ws' },
        }),
      ),
    ).toContain('through ws');
  }, 30_000);

  it('OAuth metadata and the 401 challenge name the public https:// origin the reverse proxy serves', async () => {
    const fetch = clientFetch(proxy, '127.0.0.3');
    const origin = proxy.publicOrigin;
    const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp/remote`;
    const resource = await (await fetch(metadataUrl)).json();
    expect(resource).toMatchObject({
      resource: `${origin}/mcp/remote`,
      authorization_servers: [origin],
    });
    const server = await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json();
    expect(server).toMatchObject({
      issuer: origin,
      authorization_endpoint: `${origin}/oauth/authorize`,
      token_endpoint: `${origin}/oauth/token`,
    });
    const challenge = await fetch(`${origin}/mcp/remote`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: INITIALIZE,
    });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toContain(`resource_metadata="${metadataUrl}"`);
  });

  it('failed authentications are counted per client behind the proxy, and audited with its address', async () => {
    const guesser = clientFetch(proxy, '127.0.0.10');
    const neighbour = clientFetch(proxy, '127.0.0.11');
    const guess = (fetch: FetchLike): Promise<Response> =>
      fetch(endpoint(), {
        method: 'POST',
        headers: { ...MCP_HEADERS, Authorization: 'Bearer wrong-guess' },
        body: INITIALIZE,
      });

    for (let attempt = 0; attempt < FAILURE_LIMIT; attempt++) expect((await guess(guesser)).status).toBe(401);
    expect((await guess(guesser)).status).toBe(429);

    // Somebody else behind the same reverse proxy is not locked out by the guesser.
    expect((await guess(neighbour)).status).toBe(401);
    const rightKey = await neighbour(endpoint(), {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...bearer() },
      body: INITIALIZE,
    });
    expect(rightKey.status).toBe(200);

    // Audit records are written after the answer: wait (bounded) for them.
    await eventually(async () => {
      const page = (
        await running.api().get('/api/audit').query({ outcome: 'refused', limit: 100 }).set('X-API-Key', running.env.apiKey).expect(200)
      ).body as AuditPageView;
      const addresses = page.items.map((item) => item.address);
      expect(addresses.filter((address) => address === '127.0.0.10')).toHaveLength(FAILURE_LIMIT);
      expect(addresses).toContain('127.0.0.11');
    });
  });

  it('straight to the app, a client that is not a trusted proxy cannot pick its address, scheme or host', async () => {
    const guess = (index: number) =>
      direct(
        appPort,
        '127.0.0.20',
        '/mcp/everything',
        {
          ...MCP_HEADERS,
          Authorization: 'Bearer wrong-guess',
          'X-Forwarded-For': `203.0.113.${index}`,
        },
        INITIALIZE,
      );
    // A new forged address on every try changes nothing: the socket's address is the one counted.
    for (let attempt = 0; attempt < FAILURE_LIMIT; attempt++) expect((await guess(attempt)).status).toBe(401);
    expect((await guess(99)).status).toBe(429);

    const metadata = await direct(appPort, '127.0.0.21', '/.well-known/oauth-protected-resource/mcp/remote', {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'mcp.example.com',
    });
    expect(JSON.parse(metadata.text)).toMatchObject({
      resource: `http://127.0.0.1:${appPort}/mcp/remote`,
    });
  });

  it('a reverse-proxied http service is told the client, scheme and host the user used, never a forged chain', async () => {
    const through = await clientFetch(proxy, '127.0.0.40')(`${proxy.publicOrigin}/mcp/web/headers`, { headers: bearer() });
    const behindProxy = ((await through.json()) as { headers: Record<string, string> }).headers;
    expect(behindProxy).toMatchObject({
      'x-forwarded-for': '127.0.0.40',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': `mcp.example.com:${proxy.port}`,
    });

    const forged = {
      ...bearer(),
      'X-Forwarded-For': '203.0.113.1',
      'X-Forwarded-Proto': 'https',
      Forwarded: 'for=203.0.113.1',
    };
    const straight = JSON.parse((await direct(appPort, '127.0.0.41', '/mcp/web/headers', forged)).text) as {
      headers: Record<string, string>;
    };
    expect(straight.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.41',
      'x-forwarded-proto': 'http',
    });
    expect(straight.headers['forwarded']).toBeUndefined();
  });

  it('the REST rate limit counts each client behind the proxy on its own (last: it throttles this app)', async () => {
    await running.api().patch('/api/settings').set('X-API-Key', running.env.apiKey).send({ API_RATE_LIMIT: 5 }).expect(200);
    const busy = clientFetch(proxy, '127.0.0.30');
    const list = (fetch: FetchLike): Promise<Response> => fetch(`${proxy.publicOrigin}/api/services`, { headers: bearer() });
    const statuses: number[] = [];
    for (let call = 0; call < 6; call++) statuses.push((await list(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await list(clientFetch(proxy, '127.0.0.31'))).status).toBe(200);
  });
});
