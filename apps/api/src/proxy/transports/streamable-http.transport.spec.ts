import {
  HEADER_LAST_EVENT_ID,
  HEADER_MCP_PROTOCOL_VERSION,
  HEADER_MCP_SESSION_ID,
  INVALID_PARAMS,
  INVALID_REQUEST,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  PARSE_ERROR,
  PROTOCOL_VERSION_2025_06_18,
  PROTOCOL_VERSION_2026_07_28,
  RATE_LIMITED,
  SERVER_UNAVAILABLE,
  SESSION_NOT_FOUND,
} from '@mcp-proxy/mcp/protocol';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '../../core/auth/principal';
import type { TracingService } from '../../core/tracing/tracing.service';
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';
import { RateLimiter } from '../limits/rate-limiter';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import { SessionStore } from '../sessions/session-store';
import { fakePrincipal, fakeRoute, FakeUpstreams, IDENTITY, until, WAIT_MS } from '../testing/fakes';
import { ServiceUnavailable } from '../upstream/upstream-registry';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { largeBodyBudget } from '../http/incoming-rpc';
import { StreamableHttpTransport } from './streamable-http.transport';

const BOTH = 'application/json, text/event-stream';

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: MCP_METHODS.INITIALIZE,
  params: { protocolVersion: PROTOCOL_VERSION_2025_06_18, capabilities: {} },
};
const toolCall = (id: number, name = 'echo') => ({ jsonrpc: '2.0', id, method: MCP_METHODS.TOOLS_CALL, params: { name, arguments: {} } });

/**
 * The transport on a loopback server, as the MCP handler calls it once the gate has passed: the route
 * and principal are what the gate would have found (set per test).
 */
describe('StreamableHttpTransport', () => {
  let upstreams: FakeUpstreams;
  let sessions: SessionStore;
  let limiter: RateLimiter;
  let server: Server;
  let base: string;
  let route: ServiceRoute;
  let principal: Principal;
  const streams: AbortController[] = [];

  beforeEach(async () => {
    upstreams = new FakeUpstreams();
    sessions = new SessionStore();
    limiter = new RateLimiter();
    const dispatcher = new McpDispatcher(upstreams.asRegistry(), sessions, new EventEmitter2(), { enabled: false } as TracingService);
    const transport = new StreamableHttpTransport(
      dispatcher,
      sessions,
      upstreams.asRegistry(),
      limiter,
      new StreamHeartbeat(15_000),
      largeBodyBudget(),
    );
    route = fakeRoute();
    principal = fakePrincipal();
    server = createServer((request, response) => {
      const handle =
        request.method === 'POST'
          ? transport.post(request, response, route, principal)
          : request.method === 'GET'
            ? transport.get(request, response, route, principal)
            : transport.delete(request, response, route, principal);
      handle.catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp/notes`;
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.abort();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    sessions.onModuleDestroy();
    limiter.onModuleDestroy();
  });

  function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: BOTH, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT_MS * 5),
    });
  }

  const send = (method: 'GET' | 'DELETE', headers: Record<string, string> = {}): Promise<Response> =>
    fetch(base, { method, headers, signal: AbortSignal.timeout(WAIT_MS * 5) });

  async function openSession(): Promise<string> {
    const response = await post(initialize);
    expect(response.status).toBe(200);
    return response.headers.get(HEADER_MCP_SESSION_ID) ?? '';
  }

  /** An SSE stream read as it comes: `read(text)` waits (bounded) for that text to have arrived, and returns all so far. */
  async function stream(headers: Record<string, string>) {
    const abort = new AbortController();
    streams.push(abort);
    const response = await fetch(base, { method: 'GET', headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (expected: string): Promise<string> => {
      const deadline = Date.now() + WAIT_MS;
      while (!text.includes(expected)) {
        if (!reader || Date.now() > deadline) throw new Error(`"${expected}" not on the stream; got: ${text}`);
        const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), WAIT_MS))]);
        if (chunk === null || chunk.done) throw new Error(`"${expected}" not on the stream; got: ${text}`);
        text += decoder.decode(chunk.value);
      }
      return text;
    };
    return { response, read, close: () => abort.abort() };
  }

  describe('sessions', () => {
    it('issues a fresh Mcp-Session-Id on every initialize, bound to the caller', async () => {
      const response = await post(initialize);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const id = response.headers.get(HEADER_MCP_SESSION_ID) ?? '';
      expect(id).toMatch(/^[A-Za-z0-9_-]{24,}$/);
      expect(await response.json()).toMatchObject({
        id: 0,
        result: { protocolVersion: PROTOCOL_VERSION_2025_06_18, serverInfo: IDENTITY.serverInfo },
      });
      expect(sessions.find(id, principal.id)).toBeDefined();
      expect(await openSession()).not.toBe(id);
    });

    it('answers a request in the session, and tells the upstream of notifications with 202', async () => {
      const id = await openSession();
      const call = await post(toolCall(1), { [HEADER_MCP_SESSION_ID]: id });
      expect(call.status).toBe(200);
      expect(await call.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { echoed: MCP_METHODS.TOOLS_CALL } });
      const notification = await post({ jsonrpc: '2.0', method: MCP_METHODS.INITIALIZED }, { [HEADER_MCP_SESSION_ID]: id });
      expect(notification.status).toBe(202);
      expect(upstreams.shared.notified).toEqual([{ jsonrpc: '2.0', method: MCP_METHODS.INITIALIZED }]);
    });

    const strangers: [string, () => Promise<string>][] = [
      ['an id nobody was given', async () => 'not-a-session-id'],
      [
        'another principal’s session',
        async () => {
          const id = await openSession();
          principal = fakePrincipal({ id: 'client:mallory' });
          return id;
        },
      ],
      [
        'a session of another service',
        async () => {
          const id = await openSession();
          route = fakeRoute({ id: 'svc-other', name: 'other' });
          return id;
        },
      ],
      [
        'a session that was deleted',
        async () => {
          const id = await openSession();
          expect((await send('DELETE', { [HEADER_MCP_SESSION_ID]: id })).status).toBe(200);
          return id;
        },
      ],
    ];

    it.each(strangers)('answers POST, GET and DELETE with 404 for %s', async (_case, sessionId) => {
      const id = await sessionId();
      const headers = { [HEADER_MCP_SESSION_ID]: id };
      const answers = [
        await post(toolCall(3), headers),
        await send('GET', { ...headers, accept: 'text/event-stream' }),
        await send('DELETE', headers),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(404);
        expect(await answer.json()).toMatchObject({ error: { code: SESSION_NOT_FOUND } });
      }
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it('names the request in a 404, so the client can match it', async () => {
      const answer = await post(toolCall(42), { [HEADER_MCP_SESSION_ID]: 'gone' });
      expect(await answer.json()).toEqual({
        jsonrpc: '2.0',
        id: 42,
        error: { code: SESSION_NOT_FOUND, message: 'Session not found; initialize a new session' },
      });
    });

    it('ends the session on DELETE: its id is unknown afterwards, and the session is closed', async () => {
      const id = await openSession();
      const session = sessions.find(id, principal.id);
      const deleted = await send('DELETE', { [HEADER_MCP_SESSION_ID]: id });
      expect(deleted.status).toBe(200);
      expect(session?.closed).toBe(true);
      expect(sessions.size).toBe(0);
    });

    it.each([
      ['GET', () => send('GET', { accept: 'text/event-stream' }), 400, 'Mcp-Session-Id header required; initialize first with a POST'],
      ['DELETE', () => send('DELETE'), 400, 'Mcp-Session-Id header required'],
    ])('requires Mcp-Session-Id on %s', async (_method, request, status, message) => {
      const answer = await request();
      expect(answer.status).toBe(status);
      expect(await answer.json()).toMatchObject({ error: { code: INVALID_REQUEST, message } });
    });

    it('refuses a request without a session on a service that gives each client its own server', async () => {
      route = fakeRoute({ process: { isolation: 'session' } });
      const answer = await post(toolCall(1));
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ id: 1, error: { code: INVALID_REQUEST } });
      expect(sessions.size).toBe(0);
    });

    it('runs a request without a session on a shared service as a one-shot call, keeping no session', async () => {
      const answer = await post(toolCall(1));
      expect(answer.status).toBe(200);
      expect(answer.headers.get(HEADER_MCP_SESSION_ID)).toBeNull();
      expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { echoed: MCP_METHODS.TOOLS_CALL } });
      expect(sessions.size).toBe(0);
    });

    it('answers 503 with Retry-After and opens no session when the service is down', async () => {
      upstreams.down(new ServiceUnavailable('MCP server "notes" is stopped', 'stopped'));
      const answer = await post(initialize);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await answer.json()).toEqual({
        jsonrpc: '2.0',
        id: 0,
        error: { code: SERVER_UNAVAILABLE, message: 'MCP server "notes" is stopped' },
      });
      expect(sessions.size).toBe(0);
    });
  });

  describe('MCP-Protocol-Version', () => {
    it.each([
      ['absent', 200, undefined],
      ['the negotiated version', 200, PROTOCOL_VERSION_2025_06_18],
      ['another supported version', 200, LATEST_INITIALIZE_PROTOCOL_VERSION],
      ['an unknown version', 400, '1999-01-01'],
      ['garbage', 400, 'latest'],
    ])('on a request in a session: %s → %i', async (_case, status, version) => {
      const id = await openSession();
      const answer = await post(toolCall(1), {
        [HEADER_MCP_SESSION_ID]: id,
        ...(version ? { [HEADER_MCP_PROTOCOL_VERSION]: version } : {}),
      });
      expect(answer.status).toBe(status);
      if (status === 400)
        expect(await answer.json()).toMatchObject({
          error: { code: INVALID_REQUEST, message: `Unsupported MCP-Protocol-Version: ${version}` },
        });
    });

    it('answers a sessionless GET of the stateless revision with 405 and Allow: POST', async () => {
      const answer = await send('GET', { accept: 'text/event-stream', [HEADER_MCP_PROTOCOL_VERSION]: PROTOCOL_VERSION_2026_07_28 });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    });

    it('checks a stateless request’s headers against its body', async () => {
      const answer = await post(toolCall(1), { [HEADER_MCP_PROTOCOL_VERSION]: PROTOCOL_VERSION_2026_07_28 });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ id: 1, error: { code: INVALID_PARAMS } });
      expect(upstreams.shared.forwarded).toEqual([]);
    });
  });

  describe('the GET stream', () => {
    it('requires Accept: text/event-stream', async () => {
      const id = await openSession();
      const answer = await send('GET', { [HEADER_MCP_SESSION_ID]: id, accept: 'application/json' });
      expect(answer.status).toBe(406);
    });

    it('carries the session’s server messages as SSE events with ids', async () => {
      const id = await openSession();
      const { response, read } = await stream({ [HEADER_MCP_SESSION_ID]: id });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get(HEADER_MCP_SESSION_ID)).toBe(id);
      sessions.find(id, principal.id)?.sendUnrelated({ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED });
      expect(await read('list_changed')).toMatch(
        /^id: s\d+-1\nevent: message\ndata: \{"jsonrpc":"2.0","method":"notifications\/tools\/list_changed"\}\n\n/,
      );
    });

    it('keeps what was sent while the stream was away and replays it after Last-Event-ID', async () => {
      const id = await openSession();
      const session = sessions.find(id, principal.id);
      const first = await stream({ [HEADER_MCP_SESSION_ID]: id });
      session?.sendUnrelated({ jsonrpc: '2.0', method: 'notifications/first' });
      const eventId = /^id: (\S+)/.exec(await first.read('first'))?.[1] ?? '';
      first.close();
      await until(() => session?.standalone?.closed === true, 'the proxy to see the stream close');
      session?.sendUnrelated({ jsonrpc: '2.0', method: 'notifications/missed' });

      const again = await stream({ [HEADER_MCP_SESSION_ID]: id, [HEADER_LAST_EVENT_ID]: eventId });
      const text = await again.read('missed');
      expect(text).not.toContain('notifications/first');
    });

    it('keeps nothing of a POST stream whose answer went out while the client read it', async () => {
      route = fakeRoute({ proxy: { responseMode: 'sse' } });
      const id = await openSession();
      const call = await post(toolCall(5), { [HEADER_MCP_SESSION_ID]: id });
      const text = await call.text();
      expect(text).toContain('"echoed"');
      const eventId = /^id: (\S+)/m.exec(text)?.[1] ?? '';
      expect(eventId).not.toBe('');
      expect(sessions.find(id, principal.id)?.log.after(eventId)).toBeNull();
    });

    it('hands the answer of a POST stream the client lost over once, after Last-Event-ID', async () => {
      route = fakeRoute({ proxy: { responseMode: 'sse' } });
      const id = await openSession();
      const session = sessions.find(id, principal.id);
      upstreams.shared.resultFor = null;
      const abort = new AbortController();
      const call = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH, [HEADER_MCP_SESSION_ID]: id },
        body: JSON.stringify(toolCall(6)),
        signal: abort.signal,
      });
      expect(call.status).toBe(200);
      await until(() => upstreams.shared.forwarded.length === 1, 'the call to reach the upstream');
      const streamId = [...(session?.postStreams.keys() ?? [])][0] ?? '';
      abort.abort();
      await until(() => session?.postStreams.get(streamId)?.closed === true, 'the proxy to see the POST stream close');
      const { request } = upstreams.shared.forwarded[0];
      const entry = session?.find(request.id);
      if (!session || !entry) throw new Error('the call is not in flight');
      session.finish(entry, { jsonrpc: '2.0', id: request.id, result: { late: true } });

      const again = await stream({ [HEADER_MCP_SESSION_ID]: id, [HEADER_LAST_EVENT_ID]: `${streamId}-0` });
      expect(await again.read('"late"')).toContain('"id":6');
      expect(session.log.after(`${streamId}-0`)).toBeNull();
    });
  });

  describe('frames', () => {
    it.each([
      ['not JSON', 400, PARSE_ERROR, '{"jsonrpc":'],
      ['a batch (not supported)', 400, INVALID_REQUEST, JSON.stringify([toolCall(1), toolCall(2)])],
      ['not JSON-RPC 2.0', 400, INVALID_REQUEST, JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'x' })],
      ['an empty body', 400, PARSE_ERROR, ''],
    ])('answers %s with %i and JSON-RPC error %i', async (_case, status, code, body) => {
      const answer = await post(body);
      expect(answer.status).toBe(status);
      expect(await answer.json()).toMatchObject({ jsonrpc: '2.0', error: { code } });
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it('answers a body over the limit with 413', async () => {
      const answer = await post(
        JSON.stringify({ ...toolCall(1), params: { name: 'echo', arguments: { text: 'x'.repeat(MAX_MESSAGE_BYTES) } } }),
      );
      expect(answer.status).toBe(413);
      expect(upstreams.shared.forwarded).toEqual([]);
    });
  });

  describe('replies', () => {
    it('answers on an SSE stream when the client reads only SSE', async () => {
      const answer = await post(initialize, { accept: 'text/event-stream' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/event-stream');
      expect(answer.headers.get(HEADER_MCP_SESSION_ID)).toBeTruthy();
      expect(await answer.text()).toMatch(/^id: s\d+-1\nevent: message\ndata: \{"jsonrpc":"2.0","id":0,"result":/);
    });
  });

  describe('limits', () => {
    it('refuses work past the service’s rate limit with 429, Retry-After and the limit named', async () => {
      route = fakeRoute({ proxy: { rateLimit: 1 } });
      const id = await openSession();
      expect((await post(toolCall(1), { [HEADER_MCP_SESSION_ID]: id })).status).toBe(200);
      const refused = await post(toolCall(2), { [HEADER_MCP_SESSION_ID]: id });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ id: 2, error: { code: RATE_LIMITED, data: { limit: 'service', perMinute: 1 } } });
      expect(upstreams.shared.forwarded).toHaveLength(1);
    });

    it('answers an OAuth client’s call of a tool outside its grant with 403 insufficient_scope', async () => {
      principal = fakePrincipal({ audience: 'https://proxy.example/mcp/notes', scope: { tools: ['read_note'] } });
      const answer = await post(toolCall(1, 'delete_note'));
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(answer.headers.get('www-authenticate')).toContain(
        'resource_metadata="https://proxy.example/.well-known/oauth-protected-resource/mcp/notes"',
      );
      expect(upstreams.shared.forwarded).toEqual([]);
    });
  });
});
