import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocket } from 'ws';
import { connectClient, EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { grantAccess } from './support/oauth-flow';
import { registerService, RunningApp, serviceAction, startApp } from './support/running-app';

const PASSWORD = 'correct horse battery';
/** "Within a few seconds": open streams re-check their credential every few seconds; this bound leaves room for a loaded machine. */
const WITHIN_MS = 12_000;
jest.setTimeout(90_000);

/** Rejects when the promise has not settled within the bound, naming what did not happen. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Resolves when a streamed response body ends (or breaks), reading and discarding what comes. */
async function streamEnds(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  try {
    for (;;) if ((await reader.read()).done) return;
  } catch {
    // a broken stream has ended too
  }
}

/** Revoking a credential, deleting a user or changing their limits reaches the streams they already hold open. */
describe('revocation reaches open streams', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const wsBase = (): string => running.baseUrl.replace(/^http/, 'ws');

  async function mintToken(label: string): Promise<{ id: string; token: string }> {
    const created = await running
      .api()
      .post('/api/client-tokens')
      .set(...asAdmin())
      .send({ label })
      .expect(201);
    return created.body as { id: string; token: string };
  }

  const revokeToken = (id: string) =>
    running
      .api()
      .post(`/api/client-tokens/${id}/revoke`)
      .set(...asAdmin())
      .expect(201);

  function closedPromise(client: Client): Promise<void> {
    return new Promise((resolve) => (client.onclose = () => resolve()));
  }

  async function initializeSession(token: string): Promise<string> {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    };
    const init = await fetch(`${running.baseUrl}/mcp/other`, {
      method: 'POST',
      headers,
      body: initializeRequest('e2e'),
    });
    expect(init.status).toBe(200);
    await init.text();
    const sessionId = init.headers.get('mcp-session-id') ?? '';
    const headersWithSession = { ...headers, 'mcp-session-id': sessionId };
    await fetch(`${running.baseUrl}/mcp/other`, {
      method: 'POST',
      headers: headersWithSession,
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/initialized',
      }),
    }).then((r) => r.text());
    return sessionId;
  }

  beforeAll(async () => {
    // The shortest access-token life the settings allow, so one test can watch a token expire.
    running = await startApp({ OAUTH_ACCESS_TOKEN_TTL_SEC: '10' });
    const everything = {
      command: process.execPath,
      args: [EVERYTHING_SERVER, 'stdio'],
    };
    await registerService(running, {
      name: 'everything',
      process: everything,
      proxy: { rateLimit: 0, auth: 'oauth' },
    });
    await registerService(running, { name: 'other', process: everything });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
  }, 60_000);

  describe('client tokens', () => {
    it('a revoked token loses its open MCP WebSocket within seconds, and the next connection is refused', async () => {
      const { id, token } = await mintToken('ws holder');
      // `other` takes the API key and client tokens (an `oauth` service refuses a token in the URL, as the SDK's WebSocket sends it).
      const client = await connectClient(running.baseUrl, 'other', token, 'websocket');
      clients.push(client);
      const closed = closedPromise(client);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);

      await revokeToken(id);
      await within(closed, WITHIN_MS, 'the WebSocket of a revoked token closed');
      await expect(client.listTools()).rejects.toThrow();
      await expect(connectClient(running.baseUrl, 'other', token, 'websocket')).rejects.toThrow();
    });

    it('a revoked token loses its open legacy SSE stream within seconds', async () => {
      const { id, token } = await mintToken('sse holder');
      const stream = await fetch(`${running.baseUrl}/mcp/other/sse`, {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
      });
      expect(stream.status).toBe(200);
      const ended = streamEnds(stream);

      await revokeToken(id);
      await within(ended, WITHIN_MS, 'the SSE stream of a revoked token ended');
    });

    it('a revoked token loses its open Streamable HTTP GET stream within seconds', async () => {
      const { id, token } = await mintToken('get-stream holder');
      const sessionId = await initializeSession(token);
      const stream = await fetch(`${running.baseUrl}/mcp/other`, {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          'mcp-session-id': sessionId,
        },
      });
      expect(stream.status).toBe(200);
      const ended = streamEnds(stream);

      await revokeToken(id);
      await within(ended, WITHIN_MS, 'the GET stream of a revoked token ended');
    });
  });

  describe('OAuth access tokens', () => {
    async function grant(): Promise<{ clientId: string; access: string }> {
      return grantAccess(running, `${running.baseUrl}/mcp/everything`);
    }

    /** An MCP WebSocket with the access token in the header (OAuth tokens are never accepted in the URL); resolves once initialized. */
    async function openSocket(access: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
      const socket = new WebSocket(`${wsBase()}/mcp/ws?service=everything`, 'mcp', { headers: { authorization: `Bearer ${access}` } });
      sockets.push(socket);
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const answered = new Promise<void>((resolve) => socket.once('message', () => resolve()));
      socket.send(initializeRequest('e2e'));
      await within(answered, 10_000, 'initialize answered');
      return { socket, closed };
    }

    it('an access token that expires while its WebSocket is open closes it', async () => {
      const { access } = await grant();
      const { closed } = await openSocket(access);
      // The token lives 10 s; the socket must not outlive it by more than the re-check bound.
      await within(closed, 10_000 + WITHIN_MS, 'the WebSocket of an expired access token closed');
    });

    it('a grant revoked while its WebSocket is open closes it within seconds', async () => {
      const { clientId, access } = await grant();
      const { closed } = await openSocket(access);
      const revoked = await fetch(`${running.baseUrl}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: access, client_id: clientId }),
      });
      expect(revoked.status).toBe(200);
      // Well before the token's own expiry (10 s): the revocation closed it, not the clock.
      await within(closed, 6_000, 'the WebSocket of a revoked grant closed');
    });
  });

  describe('the live gateway (/ws)', () => {
    async function createUser(username: string, services: string[]): Promise<string> {
      const response = await running
        .api()
        .post('/api/users')
        .set(...asAdmin())
        .send({ username, password: PASSWORD, role: 'viewer', services });
      if (response.status !== 201) throw new Error(`creating user: ${response.status} ${JSON.stringify(response.body)}`);
      return (response.body as { id: string }).id;
    }

    async function login(username: string): Promise<string> {
      const response = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
      return (response.body as { token: string }).token;
    }

    /** A live connection that keeps every message it gets. */
    function live(token: string) {
      const socket = new WebSocket(`${wsBase()}/ws?token=${token}`);
      sockets.push(socket);
      const inbox: Record<string, unknown>[] = [];
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      socket.on('message', (data) => inbox.push(JSON.parse(data.toString()) as Record<string, unknown>));
      const waitFor = async (match: (message: Record<string, unknown>) => boolean, ms = 10_000): Promise<Record<string, unknown>> => {
        const deadline = Date.now() + ms;
        while (Date.now() < deadline) {
          const found = inbox.find(match);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`no such message; got ${JSON.stringify(inbox)}`);
      };
      const subscribe = async (channel: string): Promise<void> => {
        socket.send(JSON.stringify({ type: 'subscribe', channel }));
        await waitFor((message) => message['type'] === 'subscribed' && message['channel'] === channel);
      };
      const statusOf = (name: string) => (message: Record<string, unknown>) =>
        message['type'] === 'status' && (message['service'] as { name?: string }).name === name;
      return { socket, inbox, closed, waitFor, subscribe, statusOf };
    }

    it('a user whose limits shrink stops receiving the status and logs of the service taken away', async () => {
      const id = await createUser('shrinking', ['everything', 'other']);
      const client = live(await login('shrinking'));
      await client.waitFor((message) => message['type'] === 'ready');
      await client.subscribe('status');
      await client.subscribe('logs:other');
      await serviceAction(running, 'other', 'restart');
      await client.waitFor(client.statusOf('other'));

      await running
        .api()
        .patch(`/api/users/${id}`)
        .set(...asAdmin())
        .send({ services: ['everything'] })
        .expect(200);
      await client.waitFor((message) => message['type'] === 'unsubscribed' && message['channel'] === 'logs:other', WITHIN_MS);
      client.inbox.length = 0;
      await serviceAction(running, 'other', 'restart');
      await serviceAction(running, 'everything', 'restart');
      await client.waitFor(client.statusOf('everything'));
      await client.waitFor(
        (message) => client.statusOf('everything')(message) && (message['service'] as { status?: string }).status === 'running',
      );
      expect(client.inbox.filter(client.statusOf('other'))).toEqual([]);
      expect(client.inbox.filter((message) => message['channel'] === 'logs:other')).toEqual([]);
    });

    it('a deleted user loses their live connection within seconds', async () => {
      const id = await createUser('leaving', ['everything']);
      const client = live(await login('leaving'));
      await client.waitFor((message) => message['type'] === 'ready');
      await client.subscribe('status');
      await client.subscribe('logs:everything');

      await running
        .api()
        .delete(`/api/users/${id}`)
        .set(...asAdmin())
        .expect(204);
      expect(await within(client.closed, WITHIN_MS, 'the live connection of a deleted user closed')).toBe(4401);
    });
  });
});
