import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { grantAccess } from './support/oauth-flow';
import { registerService, RunningApp, startApp } from './support/running-app';

/**
 * The failed-authentication throttle as clients see it, each loopback address playing another client
 * (or everyone behind one NAT): requests without a credential lock nobody out, a strong right key is
 * never refused for somebody else's guesses, guessable credentials and passwords are refused once their
 * address failed too often, and password guesses sent at once cannot beat the limit.
 */
const LIMIT = 5;
const PASSWORD = 'correct horse battery staple';
const INITIALIZE = initializeRequest('t', '2025-11-25');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('Failed-authentication throttle (several clients on loopback addresses)', () => {
  let running: RunningApp;
  let port: number;
  let clientToken: string;
  let oauthToken: string;

  /** One HTTP request from the given source address. */
  function call(from: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          localAddress: from,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A WebSocket to /mcp/ws: 101 and the answer to `initialize`, or the refusal's status. */
  function webSocket(from: string, headers: Record<string, string> = {}): Promise<{ status: number; reply?: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/mcp/ws?service=everything`, 'mcp', { localAddress: from, headers });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('WebSocket timed out'));
      }, 30_000);
      socket.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        res.resume();
        socket.terminate();
        resolve({ status: res.statusCode ?? 0 });
      });
      socket.on('open', () => socket.send(INITIALIZE));
      socket.on('message', (data: Buffer) => {
        clearTimeout(timer);
        socket.close();
        resolve({ status: 101, reply: data.toString('utf8') });
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  const bearer = (credential: string): Record<string, string> => ({
    authorization: `Bearer ${credential}`,
  });
  const statuses = async (times: number, attempt: () => Promise<{ status: number }>): Promise<number[]> => {
    const seen: number[] = [];
    for (let i = 0; i < times; i++) seen.push((await attempt()).status);
    return seen;
  };

  beforeAll(async () => {
    running = await startApp({
      AUTH_FAILURE_LIMIT: String(LIMIT),
      API_RATE_LIMIT: '10000',
    });
    port = Number(new URL(running.baseUrl).port);
    await registerService(running, {
      name: 'everything',
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
    });
    clientToken = (
      await running.api().post('/api/client-tokens').set('X-API-Key', running.env.apiKey).send({ label: 'claude' }).expect(201)
    ).body.token;
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'vera', password: PASSWORD, role: 'viewer' })
      .expect(201);
    oauthToken = await oauthAccessToken('remote');
  }, 90_000);

  /** An OAuth access token for an `oauth` service, obtained the way a remote client does (PKCE). */
  async function oauthAccessToken(service: string): Promise<string> {
    await registerService(running, {
      name: service,
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
      proxy: { rateLimit: 0, auth: 'oauth' },
    });
    return (await grantAccess(running, `${running.baseUrl}/mcp/${service}`)).access;
  }

  afterAll(() => running?.close());

  it('requests without a credential get 401 and lock nobody out: REST, login, Streamable HTTP and WebSocket', async () => {
    const from = '127.0.0.11';
    expect(await statuses(4 * LIMIT, () => call(from, 'GET', '/api/services'))).toEqual(Array(4 * LIMIT).fill(401));
    expect(await statuses(4 * LIMIT, () => call(from, 'POST', '/mcp/everything', {}, INITIALIZE))).toEqual(Array(4 * LIMIT).fill(401));
    // OAuth discovery starts with a bare request to the service, answered with where its metadata is.
    const discovery = await Promise.all(Array.from({ length: 4 * LIMIT }, () => call(from, 'POST', '/mcp/remote', {}, INITIALIZE)));
    expect(discovery.map((answer) => answer.status)).toEqual(Array(4 * LIMIT).fill(401));
    expect(discovery[0].headers['www-authenticate']).toContain('resource_metadata=');
    expect(await statuses(4 * LIMIT, () => webSocket(from))).toEqual(Array(4 * LIMIT).fill(401));

    expect(
      (
        await call(from, 'GET', '/api/services', {
          'x-api-key': running.env.apiKey,
        })
      ).status,
    ).toBe(200);
    expect((await call(from, 'POST', '/api/auth/login', {}, JSON.stringify({ apiKey: running.env.apiKey }))).status).toBe(201);
    expect((await call(from, 'POST', '/api/auth/login', {}, JSON.stringify({ username: 'vera', password: PASSWORD }))).status).toBe(201);
    const initialized = await call(from, 'POST', '/mcp/everything', bearer(running.env.apiKey), INITIALIZE);
    expect(initialized.status).toBe(200);
    expect(initialized.body).toContain('serverInfo');
    expect((await webSocket(from, bearer(running.env.apiKey))).reply).toContain('serverInfo');
  }, 120_000);

  it('after guesses from an address, its short guesses get 429, yet strong right credentials still pass; other addresses are not affected', async () => {
    const guesser = '127.0.0.12';
    const guesses = await statuses(LIMIT + 3, () => call(guesser, 'GET', '/api/services', { 'x-api-key': 'guess' }));
    expect(guesses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(guesses.slice(LIMIT)).toEqual([429, 429, 429]);
    const refused = await call(guesser, 'POST', '/mcp/everything', bearer('guess'), INITIALIZE);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await webSocket(guesser, bearer('guess'))).status).toBe(429);

    // Same address (a NAT): the admin key, a session token, a client token each still work, everywhere.
    expect(
      (
        await call(guesser, 'GET', '/api/services', {
          'x-api-key': running.env.apiKey,
        })
      ).status,
    ).toBe(200);
    const login = await call(guesser, 'POST', '/api/auth/login', {}, JSON.stringify({ apiKey: running.env.apiKey }));
    expect(login.status).toBe(201);
    const session = (JSON.parse(login.body) as { token: string }).token;
    expect((await call(guesser, 'GET', '/api/services', bearer(session))).status).toBe(200);
    for (const credential of [running.env.apiKey, session, clientToken]) {
      expect((await call(guesser, 'POST', '/mcp/everything', bearer(credential), INITIALIZE)).status).toBe(200);
      expect((await webSocket(guesser, bearer(credential))).reply).toContain('serverInfo');
    }
    expect((await call(guesser, 'POST', '/mcp/remote', bearer(oauthToken), INITIALIZE)).status).toBe(200);
    // Another client elsewhere is not refused for the guesser's failures.
    expect(
      (
        await call('127.0.0.13', 'GET', '/api/services', {
          'x-api-key': 'guess',
        })
      ).status,
    ).toBe(401);
  }, 120_000);

  it('wrong strong credentials are counted too (429 past the limit), but the right one from that address is not refused', async () => {
    const guesser = '127.0.0.14';
    const wrong = (): string => `mcpt_${randomBytes(32).toString('base64url')}`;
    const seen = await statuses(LIMIT + 2, () => call(guesser, 'POST', '/mcp/everything', bearer(wrong()), INITIALIZE));
    expect(seen).toEqual([...Array(LIMIT).fill(401), 429, 429]);
    expect((await call(guesser, 'POST', '/mcp/everything', bearer(clientToken), INITIALIZE)).status).toBe(200);
  }, 120_000);

  it('100 password guesses sent at once: at most the limit are evaluated, the address stays locked, another address still logs in', async () => {
    const guesser = '127.0.0.21';
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(guesser, 'POST', '/api/auth/login', {}, JSON.stringify({ username: 'vera', password: `guess-${i}` })),
      ),
    );
    const count = (status: number): number => burst.filter((answer) => answer.status === status).length;
    expect(count(201)).toBe(0);
    expect(count(401)).toBeGreaterThan(0);
    expect(count(401)).toBeLessThanOrEqual(LIMIT);
    expect(count(401) + count(429) + count(503)).toBe(100);
    expect(count(429)).toBeGreaterThanOrEqual(100 - LIMIT - count(503));

    const locked = await call(guesser, 'POST', '/api/auth/login', {}, JSON.stringify({ username: 'vera', password: PASSWORD }));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // A password lock-out does not stop that address's key holders.
    expect((await call(guesser, 'POST', '/api/auth/login', {}, JSON.stringify({ apiKey: running.env.apiKey }))).status).toBe(201);
    expect((await call('127.0.0.22', 'POST', '/api/auth/login', {}, JSON.stringify({ username: 'vera', password: PASSWORD }))).status).toBe(
      201,
    );
  }, 180_000);
});
