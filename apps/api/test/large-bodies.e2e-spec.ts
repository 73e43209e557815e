import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { BodyBudget } from '../src/core/http/body-budget';
import { EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

const PASSWORD = 'correct horse battery';
jest.setTimeout(60_000);

/** A one-shot tools/call of `echo` whose body is over 2 MiB: one the proxy reads within its body budget. */
const largeEcho = (id: number): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { message: 'x'.repeat(2 * 1024 * 1024) } },
  });

interface Answer {
  status: number;
  text: string;
}

type Credential = Record<string, string>;

/**
 * Large bodies wait for room in the body budget only once the caller is known and may use the service:
 * an anonymous client or a token limited to another service is refused at once and cannot hold the budget;
 * a named viewer's large call is read in turn and refused; every byte comes back. The same over each way a
 * large message comes in: a POST with its length, a chunked POST, a WebSocket, a legacy HTTP+SSE POST.
 */
describe('large MCP bodies and who may make them wait', () => {
  let running: RunningApp;
  let budget: BodyBudget;
  /** A client token limited to another service, and a viewer's session token. */
  let elsewhereToken: string;
  let viewerToken: string;

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, { name: 'everything', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    budget = running.app.get(BodyBudget, { strict: false });
    const limited = await running
      .api()
      .post('/api/client-tokens')
      .set('X-API-Key', running.env.apiKey)
      .send({ label: 'elsewhere', services: ['other'] })
      .expect(201);
    elsewhereToken = limited.body.token as string;
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'vic', password: PASSWORD, role: 'viewer' })
      .expect(201);
    viewerToken = (await running.api().post('/api/auth/login').send({ username: 'vic', password: PASSWORD }).expect(201)).body
      .token as string;
  });

  afterAll(() => running?.close());

  const headers = (credential: Credential): Credential => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...credential,
  });

  /** A POST with its Content-Length. */
  const withLength = async (credential: Credential, body: string): Promise<Answer> => {
    const response = await fetch(`${running.baseUrl}/mcp/everything`, { method: 'POST', headers: headers(credential), body });
    return { status: response.status, text: await response.text() };
  };

  /** A POST without one: its body goes chunked, in 256 KiB writes. */
  const chunked = (credential: Credential, body: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const sending = httpRequest(`${running.baseUrl}/mcp/everything`, { method: 'POST', headers: headers(credential) }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      sending.on('error', reject);
      for (let at = 0; at < body.length; at += 256 * 1024) sending.write(body.slice(at, at + 256 * 1024));
      sending.end();
    });

  it.each([
    ['with Content-Length', withLength],
    ['chunked', chunked],
  ])(
    'a POST %s: refuses anonymous and out-of-scope callers without waiting, reads a viewer in turn, gives every byte back',
    async (_way, post) => {
      // The budget is full: an allowed large call waits for it.
      const giveBack = await budget.reserve(budget.capacity);
      let allowedAnswered = false;
      const allowed = post({ 'x-api-key': running.env.apiKey }, largeEcho(1)).then((answer) => {
        allowedAnswered = true;
        return answer;
      });

      const anonymous = await post({}, largeEcho(2));
      expect(anonymous.status).toBe(401);
      const elsewhere = await post({ authorization: `Bearer ${elsewhereToken}` }, largeEcho(3));
      expect(elsewhere.status).toBe(403);
      expect((JSON.parse(elsewhere.text) as { error: { message: string } }).error.message).toBe(
        'This credential is not allowed to use "everything"',
      );
      // Both were answered while the allowed call still waited: neither was read within the budget.
      expect(allowedAnswered).toBe(false);

      const viewerCall = post({ authorization: `Bearer ${viewerToken}` }, largeEcho(4));
      giveBack();
      const answered = await allowed;
      expect(answered.status).toBe(200);
      expect(answered.text).toContain('Echo: xxxx');
      const refused = await viewerCall;
      // A JSON-RPC error in a 200, as for any refused call in a session.
      expect(refused.status).toBe(200);
      expect((JSON.parse(refused.text) as { error: { code: number; message: string } }).error).toMatchObject({
        code: -32600,
        message: expect.stringContaining('viewers may list but not call'),
      });

      await nothingCounted();
    },
  );

  const webSocketUrl = (credential: string): string =>
    `${running.baseUrl.replace('http', 'ws')}/mcp/ws?service=everything&token=${encodeURIComponent(credential)}`;

  /** The HTTP status an upgrade with `credential` gets (101 when the WebSocket opens). */
  function upgradeStatus(credential: string): Promise<number> {
    return new Promise((resolve) => {
      const socket = new WebSocket(webSocketUrl(credential), 'mcp');
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => undefined);
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
    });
  }

  /** A WebSocket session on `everything` with `credential` (a query parameter): its answers by id. */
  async function webSocketSession(credential: string): Promise<{ socket: WebSocket; answers: Map<number, string> }> {
    const socket = new WebSocket(webSocketUrl(credential), 'mcp');
    const answers = new Map<number, string>();
    socket.on('message', (data) => {
      const text = data.toString();
      const id = (JSON.parse(text) as { id?: unknown }).id;
      if (typeof id === 'number') answers.set(id, text);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(initializeRequest('large-frames'));
    await eventually(() => (answers.has(1) ? Promise.resolve() : Promise.reject(new Error('no answer to initialize'))), 10_000);
    return { socket, answers };
  }

  it('over WebSocket, a large frame waits for the budget with the frames behind it, and its bytes come back written or answered', async () => {
    const admin = await webSocketSession(running.env.apiKey);
    const giveBack = await budget.reserve(budget.capacity);
    // Anonymous and out-of-scope callers never get a WebSocket, full budget or not.
    expect(await upgradeStatus('')).toBe(401);
    expect(await upgradeStatus(elsewhereToken)).toBe(403);
    admin.socket.send(largeEcho(2));
    admin.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Frames are handled in order: the ping waits behind the large call.
    expect([...admin.answers.keys()]).toEqual([1]);
    giveBack();
    await eventually(
      () => (admin.answers.has(2) && admin.answers.has(3) ? Promise.resolve() : Promise.reject(new Error('not answered'))),
      20_000,
    );
    expect(admin.answers.get(2)).toContain('Echo: xxxx');
    admin.socket.close();
    await nothingCounted();

    // A viewer's large call is refused, never written to the server: the refusal gives its bytes back.
    const viewer = await webSocketSession(viewerToken);
    viewer.socket.send(largeEcho(2));
    await eventually(() => (viewer.answers.has(2) ? Promise.resolve() : Promise.reject(new Error('not answered'))), 20_000);
    expect(viewer.answers.get(2)).toContain('viewers may list but not call');
    // Still open: the bytes came back with the answer, not with the connection's end.
    await nothingCounted();
    viewer.socket.close();
  });

  /** A legacy HTTP+SSE session (MCP 2024-11-05), the admin's unless `key` says otherwise: its POSTs (as another caller with `as`), and the answers its stream carried, by id. */
  async function legacySession(
    key: Credential = { 'x-api-key': running.env.apiKey },
  ): Promise<{ post: (body: string, as?: Credential) => Promise<number>; answers: Map<number, string>; close: () => void }> {
    const abort = new AbortController();
    const stream = await fetch(`${running.baseUrl}/mcp/everything/sse`, {
      headers: { ...key, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    const answers = new Map<number, string>();
    let endpoint: string | null = null;
    let pending = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        pending += value;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const event = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data =
            event
              .split('\n')
              .find((line) => line.startsWith('data: '))
              ?.slice(6) ?? '';
          if (event.includes('event: endpoint')) endpoint = data;
          else if (data) {
            const id = (JSON.parse(data) as { id?: unknown }).id;
            if (typeof id === 'number') answers.set(id, data);
          }
        }
      }
    })().catch(() => undefined);
    await eventually(() => (endpoint ? Promise.resolve() : Promise.reject(new Error('no endpoint event'))), 10_000);
    const post = async (body: string, as = key): Promise<number> =>
      (await fetch(new URL(endpoint as string, running.baseUrl), { method: 'POST', headers: headers(as), body })).status;
    expect(await post(initializeRequest('legacy-large'))).toBe(202);
    await eventually(() => (answers.has(1) ? Promise.resolve() : Promise.reject(new Error('no answer to initialize'))), 10_000);
    expect(await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))).toBe(202);
    return { post, answers, close: () => (abort.abort(), void reading) };
  }

  /** A Streamable HTTP session as the admin: its POSTs' statuses. */
  async function streamableSession(): Promise<{ post: (body: string) => Promise<number> }> {
    const key = { 'x-api-key': running.env.apiKey };
    const opened = await fetch(`${running.baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: headers(key),
      body: initializeRequest('large'),
    });
    const session = { ...key, 'mcp-session-id': opened.headers.get('mcp-session-id') as string };
    await opened.text();
    const post = async (body: string): Promise<number> => {
      const response = await fetch(`${running.baseUrl}/mcp/everything`, { method: 'POST', headers: headers(session), body });
      await response.text();
      return response.status;
    };
    expect(await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))).toBe(202);
    return { post };
  }

  /**
   * Stops the service's server (SIGSTOP: it reads nothing) while `post` sends a large body: the POST is not
   * accepted and the body stays counted until the server, continued, has read it. Resolves with the status.
   */
  async function postToStoppedServer(post: () => Promise<number>): Promise<number> {
    const pid = (await running.api().get('/api/services/everything').set('X-API-Key', running.env.apiKey).expect(200)).body.pid as number;
    process.kill(pid, 'SIGSTOP');
    let accepted: number | null = null;
    const posting = post().then((status) => (accepted = status));
    try {
      await eventually(() => (budget.reserved > 0 ? Promise.resolve() : Promise.reject(new Error('not counted'))), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Still counted, not yet accepted: a client cannot pile large bodies up behind a server that does not read.
      expect(accepted).toBeNull();
      expect(budget.reserved).toBeGreaterThan(2 * 1024 * 1024);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await posting;
    await nothingCounted();
    return accepted as unknown as number;
  }

  /** A notification the server has no use for, with a body over 2 MiB: forwarded as it is. */
  const largeNotification = JSON.stringify({
    jsonrpc: '2.0',
    method: 'notifications/large',
    params: { blob: 'x'.repeat(2 * 1024 * 1024) },
  });

  it('over legacy HTTP+SSE, a large request is accepted (202) once its server has read it, and counts until then', async () => {
    const session = await legacySession();
    expect(await postToStoppedServer(() => session.post(largeEcho(2)))).toBe(202);
    await eventually(() => (session.answers.has(2) ? Promise.resolve() : Promise.reject(new Error('not answered'))), 20_000);
    expect(session.answers.get(2)).toContain('Echo: xxxx');
    session.close();
  });

  it('over legacy HTTP+SSE, refuses anonymous and out-of-scope POSTs unread; a viewer and a tool-limited token are refused and every byte comes back', async () => {
    const admin = await legacySession();
    // The budget is full: these are answered without waiting for it, because nobody reads their bodies.
    const giveBack = await budget.reserve(budget.capacity);
    try {
      expect(await admin.post(largeEcho(2), {})).toBe(401);
      expect(await admin.post(largeEcho(3), { authorization: `Bearer ${elsewhereToken}` })).toBe(403);
      expect(budget.reserved).toBe(budget.capacity);
    } finally {
      giveBack();
    }
    admin.close();

    const limited = await running
      .api()
      .post('/api/client-tokens')
      .set('X-API-Key', running.env.apiKey)
      .send({ label: 'sums only', services: ['everything'], tools: ['get-sum'] })
      .expect(201);
    const refusals: Array<[Credential, string]> = [
      [{ authorization: `Bearer ${viewerToken}` }, 'viewers may list but not call'],
      [{ authorization: `Bearer ${limited.body.token as string}` }, 'Tool "echo" is not allowed for this client'],
    ];
    for (const [credential, refusal] of refusals) {
      const session = await legacySession(credential);
      // Never written to the server: accepted once its refusal is on the stream.
      expect(await session.post(largeEcho(2))).toBe(202);
      await eventually(() => (session.answers.has(2) ? Promise.resolve() : Promise.reject(new Error('not answered'))), 20_000);
      expect((JSON.parse(session.answers.get(2) as string) as { error: { message: string } }).error.message).toContain(refusal);
      await nothingCounted();
      session.close();
    }
  });

  it('a large notification, over Streamable HTTP, legacy HTTP+SSE or WebSocket, counts until its server has read it', async () => {
    const streamable = await streamableSession();
    expect(await postToStoppedServer(() => streamable.post(largeNotification))).toBe(202);
    const legacy = await legacySession();
    expect(await postToStoppedServer(() => legacy.post(largeNotification))).toBe(202);
    legacy.close();
    // Over WebSocket the frames behind it wait: a ping sent after it is answered once the server has read it.
    const webSocket = await webSocketSession(running.env.apiKey);
    const pinged = async (): Promise<number> => {
      webSocket.socket.send(largeNotification);
      webSocket.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }));
      await eventually(() => (webSocket.answers.has(9) ? Promise.resolve() : Promise.reject(new Error('no pong'))), 20_000);
      return 200;
    };
    expect(await postToStoppedServer(pinged)).toBe(200);
    webSocket.socket.close();
  });

  /** Written to the server or answered: nothing is still counted. */
  function nothingCounted(): Promise<void> {
    return eventually(() => {
      if (budget.reserved !== 0) throw new Error(`${budget.reserved} bytes still counted`);
      return Promise.resolve();
    }, 5000);
  }
});
