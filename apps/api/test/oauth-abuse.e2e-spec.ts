import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { OAuthSweeper } from '../src/oauth/oauth-sweeper';
import { OAuthAuthorizationEntity, OAuthClientEntity, OAuthRefreshTokenEntity } from '../src/oauth/oauth.entities';
import { EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { approveInBrowser, codeAuthorizeUrl, exchangeCode, pkce, REDIRECT_URI, registerClient, refreshGrant } from './support/oauth-flow';
import { createTemporaryDatabase } from './support/postgres';
import { registerService, RunningApp, startApp } from './support/running-app';

jest.setTimeout(60_000);

const OAUTH_SERVICE = {
  name: 'remote',
  process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
  proxy: { rateLimit: 0, auth: 'oauth' },
};

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/** POST /oauth/register from a chosen loopback address (each address is a different client to the limiter). */
function register(baseUrl: string, localAddress = '127.0.0.1'): Promise<Answer> {
  return call('POST', `${baseUrl}/oauth/register`, localAddress, JSON.stringify({ client_name: 'burst', redirect_uris: [REDIRECT_URI] }));
}

function call(method: string, target: string, localAddress: string, payload?: string): Promise<Answer> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        localAddress,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(payload ?? '');
  });
}

/** The limiter counts per wall-clock minute: a burst is started well inside one. */
async function awayFromMinuteEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

async function metadataOf(running: RunningApp): Promise<Record<string, unknown>> {
  return (await (await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
}

describe('OAuth registration is off while no service uses OAuth', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => running?.close());

  it('refuses and does not advertise registration until an oauth service exists (OAUTH_DYNAMIC_REGISTRATION=auto)', async () => {
    expect(await metadataOf(running)).not.toHaveProperty('registration_endpoint');
    const refused = await register(running.baseUrl);
    expect(refused).toMatchObject({
      status: 403,
      body: {
        error: 'access_denied',
        error_description: expect.stringContaining('OAUTH_DYNAMIC_REGISTRATION'),
      },
    });
    expect(await running.app.get(DataSource).getRepository(OAuthClientEntity).count()).toBe(0);

    await registerService(running, OAUTH_SERVICE);
    expect(await metadataOf(running)).toMatchObject({
      registration_endpoint: `${running.baseUrl}/oauth/register`,
    });
    expect((await register(running.baseUrl)).status).toBe(201);
  });
});

describe('OAuth under abuse', () => {
  let running: RunningApp;
  let drip: Server;
  let dripUrl = '';
  let dripClosed: Promise<void> = Promise.resolve();
  const resource = (): string => `${running.baseUrl}/mcp/remote`;

  beforeAll(async () => {
    // Sends the headers, then one byte a second, for a minute: never idle, never finished.
    drip = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(' ');
      const timer = setInterval(() => response.write(' '), 1000);
      dripClosed = new Promise((resolve) => response.on('close', () => resolve()));
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
    dripUrl = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/client.json`;
    running = await startApp({
      OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: 'true',
      OAUTH_RATE_LIMIT: '20',
    });
    await registerService(running, OAUTH_SERVICE);
  });

  afterAll(async () => {
    drip?.closeAllConnections();
    await new Promise((resolve) => drip?.close(resolve));
    await running?.close();
  });

  it('answers a registration burst past the limit with 429 and Retry-After, per address, writing nothing for those', async () => {
    await awayFromMinuteEdge();
    const clients = running.app.get(DataSource).getRepository(OAuthClientEntity);
    const before = await clients.count();
    const answers = await Promise.all(Array.from({ length: 30 }, () => register(running.baseUrl, '127.0.0.5')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array(20).fill(201), ...Array(10).fill(429)]);
    const limited = answers.find((answer) => answer.status === 429);
    expect(limited).toMatchObject({
      body: { error: 'too_many_requests' },
      retryAfter: expect.stringMatching(/^\d+$/),
    });
    expect(await clients.count()).toBe(before + 20);
    // Another address has its own budget.
    expect((await register(running.baseUrl, '127.0.0.6')).status).toBe(201);
  });

  it('limits /oauth/authorize per address too, before anything is looked up', async () => {
    await awayFromMinuteEdge();
    const url = codeAuthorizeUrl(running.baseUrl, randomUUID(), pkce().challenge, { resource: resource() });
    const statuses = await Promise.all(Array.from({ length: 25 }, () => call('GET', url, '127.0.0.7').then((answer) => answer.status)));
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('cuts a client metadata document that drips a byte a second at the deadline, with a clear error', async () => {
    const started = Date.now();
    const answer = await fetch(codeAuthorizeUrl(running.baseUrl, dripUrl, pkce().challenge, { resource: resource(), state: 'st' }), {
      redirect: 'manual',
    });
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'invalid_client',
      error_description: expect.stringContaining('did not arrive within 5000 ms'),
    });
    expect(elapsed).toBeGreaterThanOrEqual(4500);
    expect(elapsed).toBeLessThan(15_000);
    await dripClosed;
  });

  it('does not fetch a metadata document for a request that names no OAuth server here', async () => {
    let fetched = 0;
    const counting = createServer((request, response) => {
      fetched++;
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    try {
      const clientId = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/client.json`;
      for (const target of ['https://elsewhere.example/mcp', `${running.baseUrl}/mcp/not-a-service`, undefined]) {
        const answer = await fetch(codeAuthorizeUrl(running.baseUrl, clientId, pkce().challenge, { resource: target }), {
          redirect: 'manual',
        });
        expect({
          status: answer.status,
          location: answer.headers.get('location'),
          error: ((await answer.json()) as { error: string }).error,
        }).toEqual({ status: 400, location: null, error: 'invalid_target' });
      }
      expect(fetched).toBe(0);
    } finally {
      await new Promise((resolve) => counting.close(resolve));
    }
  });

  it('sweeps clients that never completed an authorization, expired requests and codes, dead refresh tokens, and keeps live grants', async () => {
    await sweepKeepsOnlyLiveGrants(running, resource());
  });
});

describe('OAuth limits on several instances', () => {
  const apps: RunningApp[] = [];

  afterAll(async () => {
    for (const running of apps.reverse()) await running.close();
  }, 30_000);

  it('share one registration budget per address through Redis', async () => {
    const shared = {
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      OAUTH_RATE_LIMIT: '4',
      OAUTH_DYNAMIC_REGISTRATION: 'true',
    };
    apps.push(await startApp(shared), await startApp(shared));
    const [a, b] = apps;
    // An address of its own, so no other test's registrations share the minute's budget.
    const from = `127.0.${100 + Math.floor(Math.random() * 100)}.${2 + Math.floor(Math.random() * 200)}`;
    await awayFromMinuteEdge();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await register((i % 2 ? b : a).baseUrl, from)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
  }, 60_000);
});

describe('OAuth sweep on PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> };
  let running: RunningApp;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    running = await startApp({ DATABASE_URL: database.url });
    await registerService(running, OAUTH_SERVICE);
  });

  afterAll(async () => {
    await running?.close();
    await database?.drop();
  });

  it('removes the same dead records and keeps the live grant', async () => {
    await sweepKeepsOnlyLiveGrants(running, `${running.baseUrl}/mcp/remote`);
  });
});

/**
 * Registers a client that completes the flow, one that never comes back and one whose consent is
 * never answered, ages everything two days, sweeps, and checks what is left and still works.
 */
async function sweepKeepsOnlyLiveGrants(running: RunningApp, resource: string): Promise<void> {
  const database = running.app.get(DataSource);
  const clients = database.getRepository(OAuthClientEntity);
  const authorizations = database.getRepository(OAuthAuthorizationEntity);
  const refreshTokens = database.getRepository(OAuthRefreshTokenEntity);
  await clients.clear();

  // A client that completes the flow and keeps using its grant.
  const live = await registerClient(running.baseUrl);
  const { verifier, challenge } = pkce();
  const back = await approveInBrowser(running, codeAuthorizeUrl(running.baseUrl, live, challenge, { resource, state: 'st' }));
  const issued = await exchangeCode(running.baseUrl, live, back, verifier);
  expect(issued.status).toBe(200);
  // A client that registered and never came back, and one whose consent request was never answered.
  const abandoned = await registerClient(running.baseUrl);
  const unanswered = await registerClient(running.baseUrl);
  const pending = await fetch(codeAuthorizeUrl(running.baseUrl, unanswered, pkce().challenge, { resource }), { redirect: 'manual' });
  expect(pending.status).toBe(302);
  // An expired refresh token of the live grant beside its current one.
  const current = await refreshTokens.find();
  expect(current).toHaveLength(1);
  await refreshTokens.save(
    refreshTokens.create({
      tokenHash: 'f'.repeat(64),
      grantId: current[0].grantId,
      expiresAt: new Date(Date.now() - 1000),
      rotatedAt: null,
    }),
  );

  // Two days on: every client is past its grace period, every request and code past its expiry.
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
  await clients.createQueryBuilder().update().set({ createdAt: twoDaysAgo }).execute();
  await authorizations.createQueryBuilder().update().set({ expiresAt: twoDaysAgo }).execute();
  await authorizations.update({ clientId: live }, { codeExpiresAt: twoDaysAgo });

  const counts = await running.app.get(OAuthSweeper).sweep();
  expect(counts).toEqual({ authorizations: 2, refreshTokens: 1, clients: 2 });
  expect((await clients.find()).map((client) => client.id)).toEqual([live]);
  expect(await authorizations.count()).toBe(0);
  expect((await refreshTokens.find()).map((token) => token.tokenHash)).not.toContain('f'.repeat(64));
  expect([abandoned, unanswered].every((id) => id !== live)).toBe(true);

  // The live grant still works: its access token calls the server, its refresh token refreshes.
  const call = await fetch(resource, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${String(issued.body['access_token'])}`,
    },
    body: initializeRequest('sweep-check'),
  });
  expect(call.status).toBe(200);
  const refreshed = await refreshGrant(running.baseUrl, issued.body['refresh_token'], live);
  expect(refreshed.status).toBe(200);
}
