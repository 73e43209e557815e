import {
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
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';
import { fakePrincipal, fakeRoute, IDENTITY } from '../testing/fakes';
import { initialize, toolCall, transportOnLoopback } from '../testing/streamable-http-harness';
import { ServiceUnavailable } from '../upstream/upstream-registry';

/** Sessions, protocol versions, frames, replies and limits of the transport (its GET stream: streamable-http-stream.transport.spec.ts). */
describe('StreamableHttpTransport', () => {
  const t = transportOnLoopback();

  describe('sessions', () => {
    it('issues a fresh Mcp-Session-Id on every initialize, bound to the caller', async () => {
      const response = await t.post(initialize);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const id = response.headers.get(HEADER_MCP_SESSION_ID) ?? '';
      expect(id).toMatch(/^[A-Za-z0-9_-]{24,}$/);
      expect(await response.json()).toMatchObject({
        id: 0,
        result: { protocolVersion: PROTOCOL_VERSION_2025_06_18, serverInfo: IDENTITY.serverInfo },
      });
      expect(t.sessions.find(id, t.principal.id)).toBeDefined();
      expect(await t.openSession()).not.toBe(id);
    });

    it('answers a request in the session, and tells the upstream of notifications with 202', async () => {
      const id = await t.openSession();
      const call = await t.post(toolCall(1), { [HEADER_MCP_SESSION_ID]: id });
      expect(call.status).toBe(200);
      expect(await call.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { echoed: MCP_METHODS.TOOLS_CALL } });
      const notification = await t.post({ jsonrpc: '2.0', method: MCP_METHODS.INITIALIZED }, { [HEADER_MCP_SESSION_ID]: id });
      expect(notification.status).toBe(202);
      expect(t.upstreams.shared.notified).toEqual([{ jsonrpc: '2.0', method: MCP_METHODS.INITIALIZED }]);
    });

    const strangers: [string, () => Promise<string>][] = [
      ['an id nobody was given', async () => 'not-a-session-id'],
      [
        'another principal’s session',
        async () => {
          const id = await t.openSession();
          t.principal = fakePrincipal({ id: 'client:mallory' });
          return id;
        },
      ],
      [
        'a session of another service',
        async () => {
          const id = await t.openSession();
          t.route = fakeRoute({ id: 'svc-other', name: 'other' });
          return id;
        },
      ],
      [
        'a session that was deleted',
        async () => {
          const id = await t.openSession();
          expect((await t.send('DELETE', { [HEADER_MCP_SESSION_ID]: id })).status).toBe(200);
          return id;
        },
      ],
    ];

    it.each(strangers)('answers POST, GET and DELETE with 404 for %s', async (_case, sessionId) => {
      const id = await sessionId();
      const headers = { [HEADER_MCP_SESSION_ID]: id };
      const answers = [
        await t.post(toolCall(3), headers),
        await t.send('GET', { ...headers, accept: 'text/event-stream' }),
        await t.send('DELETE', headers),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(404);
        expect(await answer.json()).toMatchObject({ error: { code: SESSION_NOT_FOUND } });
      }
      expect(t.upstreams.shared.forwarded).toEqual([]);
    });

    it('names the request in a 404, so the client can match it', async () => {
      const answer = await t.post(toolCall(42), { [HEADER_MCP_SESSION_ID]: 'gone' });
      expect(await answer.json()).toEqual({
        jsonrpc: '2.0',
        id: 42,
        error: { code: SESSION_NOT_FOUND, message: 'Session not found; initialize a new session' },
      });
    });

    it('ends the session on DELETE: its id is unknown afterwards, and the session is closed', async () => {
      const id = await t.openSession();
      const session = t.sessions.find(id, t.principal.id);
      const deleted = await t.send('DELETE', { [HEADER_MCP_SESSION_ID]: id });
      expect(deleted.status).toBe(200);
      expect(session?.closed).toBe(true);
      expect(t.sessions.size).toBe(0);
    });

    it.each([
      ['GET', () => t.send('GET', { accept: 'text/event-stream' }), 400, 'Mcp-Session-Id header required; initialize first with a POST'],
      ['DELETE', () => t.send('DELETE'), 400, 'Mcp-Session-Id header required'],
    ])('requires Mcp-Session-Id on %s', async (_method, request, status, message) => {
      const answer = await request();
      expect(answer.status).toBe(status);
      expect(await answer.json()).toMatchObject({ error: { code: INVALID_REQUEST, message } });
    });

    it('refuses a request without a session on a service that gives each client its own server', async () => {
      t.route = fakeRoute({ process: { isolation: 'session' } });
      const answer = await t.post(toolCall(1));
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ id: 1, error: { code: INVALID_REQUEST } });
      expect(t.sessions.size).toBe(0);
    });

    it('runs a request without a session on a shared service as a one-shot call, keeping no session', async () => {
      const answer = await t.post(toolCall(1));
      expect(answer.status).toBe(200);
      expect(answer.headers.get(HEADER_MCP_SESSION_ID)).toBeNull();
      expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { echoed: MCP_METHODS.TOOLS_CALL } });
      expect(t.sessions.size).toBe(0);
    });

    it('answers 503 with Retry-After and opens no session when the service is down', async () => {
      t.upstreams.down(new ServiceUnavailable('MCP server "notes" is stopped', 'stopped'));
      const answer = await t.post(initialize);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await answer.json()).toEqual({
        jsonrpc: '2.0',
        id: 0,
        error: { code: SERVER_UNAVAILABLE, message: 'MCP server "notes" is stopped' },
      });
      expect(t.sessions.size).toBe(0);
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
      const id = await t.openSession();
      const answer = await t.post(toolCall(1), {
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
      const answer = await t.send('GET', { accept: 'text/event-stream', [HEADER_MCP_PROTOCOL_VERSION]: PROTOCOL_VERSION_2026_07_28 });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    });

    it('checks a stateless request’s headers against its body', async () => {
      const answer = await t.post(toolCall(1), { [HEADER_MCP_PROTOCOL_VERSION]: PROTOCOL_VERSION_2026_07_28 });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ id: 1, error: { code: INVALID_PARAMS } });
      expect(t.upstreams.shared.forwarded).toEqual([]);
    });
  });

  describe('frames', () => {
    it.each([
      ['not JSON', 400, PARSE_ERROR, '{"jsonrpc":'],
      ['a batch (not supported)', 400, INVALID_REQUEST, JSON.stringify([toolCall(1), toolCall(2)])],
      ['not JSON-RPC 2.0', 400, INVALID_REQUEST, JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'x' })],
      ['an empty body', 400, PARSE_ERROR, ''],
    ])('answers %s with %i and JSON-RPC error %i', async (_case, status, code, body) => {
      const answer = await t.post(body);
      expect(answer.status).toBe(status);
      expect(await answer.json()).toMatchObject({ jsonrpc: '2.0', error: { code } });
      expect(t.upstreams.shared.forwarded).toEqual([]);
    });

    it('answers a body over the limit with 413', async () => {
      const answer = await t.post(
        JSON.stringify({ ...toolCall(1), params: { name: 'echo', arguments: { text: 'x'.repeat(MAX_MESSAGE_BYTES) } } }),
      );
      expect(answer.status).toBe(413);
      expect(t.upstreams.shared.forwarded).toEqual([]);
    });
  });

  describe('replies', () => {
    it('answers on an SSE stream when the client reads only SSE', async () => {
      const answer = await t.post(initialize, { accept: 'text/event-stream' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/event-stream');
      expect(answer.headers.get(HEADER_MCP_SESSION_ID)).toBeTruthy();
      expect(await answer.text()).toMatch(/^id: s\d+-1\nevent: message\ndata: \{"jsonrpc":"2.0","id":0,"result":/);
    });
  });

  describe('limits', () => {
    it('refuses work past the service’s rate limit with 429, Retry-After and the limit named', async () => {
      t.route = fakeRoute({ proxy: { rateLimit: 1 } });
      const id = await t.openSession();
      expect((await t.post(toolCall(1), { [HEADER_MCP_SESSION_ID]: id })).status).toBe(200);
      const refused = await t.post(toolCall(2), { [HEADER_MCP_SESSION_ID]: id });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ id: 2, error: { code: RATE_LIMITED, data: { limit: 'service', perMinute: 1 } } });
      expect(t.upstreams.shared.forwarded).toHaveLength(1);
    });

    it('answers an OAuth client’s call of a tool outside its grant with 403 insufficient_scope', async () => {
      t.principal = fakePrincipal({ audience: 'https://proxy.example/mcp/notes', scope: { tools: ['read_note'] } });
      const answer = await t.post(toolCall(1, 'delete_note'));
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(answer.headers.get('www-authenticate')).toContain(
        'resource_metadata="https://proxy.example/.well-known/oauth-protected-resource/mcp/notes"',
      );
      expect(t.upstreams.shared.forwarded).toEqual([]);
    });
  });
});
