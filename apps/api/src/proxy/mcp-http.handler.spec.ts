import { INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClusterRouter } from '../cluster/cluster-router';
import { AUTH_EVENTS, AuthRefusal } from '../core/auth/auth-events';
import type { CredentialRegistry } from '../core/auth/credential-registry';
import type { CredentialWatch } from '../core/auth/credential-watch';
import { FailedAuthLimiter } from '../core/auth/failed-auth-limiter';
import type { Principal } from '../core/auth/principal';
import type { AppConfig } from '../core/config/app-config';
import type { RuntimeSettings } from '../core/config/runtime-settings';
import { ClientOrigin } from '../core/http/client-origin';
import type { GracefulShutdown } from '../core/http/graceful-shutdown';
import { McpHttpHandler } from './mcp-http.handler';
import type { RouteTable, ServiceRoute } from './routing/route-table';
import type { SessionStore } from './sessions/session-store';
import { fakePrincipal, fakeRoute } from './testing/fakes';
import type { HttpServiceTransport } from './transports/http-service.transport';
import type { LegacySseTransport } from './transports/legacy-sse.transport';
import type { StreamableHttpTransport } from './transports/streamable-http.transport';
import type { WebSocketTransport } from './transports/websocket.transport';

/** Strong credentials (always checked, never guessable) and one weak one (throttled up front once its address fails). */
const KEYS = {
  admin: 'mcp_Zq3vJ8kLw2Xr5Tn9Bc4Hy7Ud1Pf6Ms0Ge',
  scoped: 'mcpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  toolLimited: 'mcpt_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
  oauth: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg',
  oauthElsewhere: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.c2lnbmF0dXJlLW9mLWFub3RoZXItb25l',
  wrong: 'mcpt_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC',
  weak: 'short-key',
  viewer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWV3ZXIifQ.dmlld2VyLXNlc3Npb24tdG9rZW4tc2lnbmF0dXJl',
} as const;

const FAILURE_LIMIT = 3;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => { id?: unknown; error?: { code: number; message: string }; handledBy?: string };
}

describe('McpHttpHandler gate', () => {
  let server: Server;
  let port: number;
  let refusals: AuthRefusal[];
  let draining: boolean;
  let allowedHosts: string[];
  let onHostsChange: (hosts: string[]) => void;
  let routes: Map<string, ServiceRoute>;
  let principals: Map<string, Principal>;
  let throwing: boolean;

  /** Every transport answers 200 naming itself, so a test sees which one the request reached. */
  const reached =
    (name: string) =>
    (...args: unknown[]): Promise<void> => {
      if (throwing) return Promise.reject(new Error('transport failed'));
      const response = args.find((arg): arg is ServerResponse => arg instanceof ServerResponse) as ServerResponse;
      const route = args.find((arg): arg is ServiceRoute => typeof arg === 'object' && arg !== null && 'proxy' in arg);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ handledBy: name, route: route?.name }));
      return Promise.resolve();
    };

  beforeEach(async () => {
    refusals = [];
    draining = false;
    allowedHosts = [];
    throwing = false;
    const notes = fakeRoute();
    const oauth = fakeRoute({ id: 'svc-3', name: 'vault', proxy: { path: '/mcp/vault', auth: 'oauth' } });
    const web = fakeRoute({ id: 'svc-4', name: 'web', transport: 'http', proxy: { path: '/mcp/web' } });
    routes = new Map(
      [notes, oauth, web].flatMap((route): [string, ServiceRoute][] => [
        [route.id, route],
        [route.name, route],
      ]),
    );
    const events = new EventEmitter2();
    events.on(AUTH_EVENTS.refused, (refusal: AuthRefusal) => refusals.push(refusal));
    server = createServer((request, response) => handler.handle(request, response));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => handler.upgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    principals = new Map<string, Principal>([
      [KEYS.admin, { kind: 'admin', id: 'admin', role: 'admin' }],
      [KEYS.weak, { kind: 'admin', id: 'admin', role: 'admin' }],
      [KEYS.scoped, fakePrincipal({ id: 'client:scoped', scope: { services: ['other-service'] } })],
      [KEYS.toolLimited, fakePrincipal({ id: 'client:tools', scope: { tools: ['read_*'] } })],
      [KEYS.viewer, fakePrincipal({ kind: 'user', id: 'user:vera', role: 'viewer' })],
      [KEYS.oauth, fakePrincipal({ id: 'client:oauth', audience: `http://127.0.0.1:${port}/mcp/vault` })],
      [KEYS.oauthElsewhere, fakePrincipal({ id: 'client:oauth2', audience: 'https://other.example/mcp/vault' })],
    ]);

    const handler = new McpHttpHandler(
      { get: (key: string) => (key === 'DOMAIN' ? 'proxy.example' : undefined) } as unknown as AppConfig,
      {
        get: () => allowedHosts,
        onChange: (_key: string, listener: (hosts: string[]) => void) => (onHostsChange = listener),
      } as unknown as RuntimeSettings,
      {
        get draining() {
          return draining;
        },
      } as GracefulShutdown,
      { verify: async (credential: string) => principals.get(credential) ?? null } as unknown as CredentialRegistry,
      new FailedAuthLimiter(() => FAILURE_LIMIT),
      {
        byId: (key: string) => routes.get(key),
        resolve: async (key: string) => routes.get(key),
      } as unknown as RouteTable,
      {
        post: reached('streamable.post'),
        get: reached('streamable.get'),
        delete: reached('streamable.delete'),
      } as unknown as StreamableHttpTransport,
      { open: reached('legacy.open'), message: reached('legacy.message') } as unknown as LegacySseTransport,
      {
        upgrade: (_request: IncomingMessage, socket: Duplex) => {
          const body = JSON.stringify({ handledBy: 'websocket.upgrade' });
          socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        },
      } as unknown as WebSocketTransport,
      { forward: reached('http.forward') } as unknown as HttpServiceTransport,
      { enabled: false } as ClusterRouter,
      events,
      { watch: () => () => undefined } as unknown as CredentialWatch,
      { closeAllOfPrincipal: () => undefined } as unknown as SessionStore,
      new ClientOrigin([]),
    );
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A raw request, so Host and Origin are exactly what a test says. */
  function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 5000 },
        (response: IncomingMessage) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) }),
          );
        },
      );
      request.on('error', reject);
      request.end(method === 'POST' ? '{}' : undefined);
    });
  }

  const withKey = (key: string, headers: Record<string, string> = {}) => ({ 'x-api-key': key, ...headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('Host and Origin', () => {
    it.each([
      ['the loopback address the client used', 200, {}],
      ['localhost', 200, { host: 'localhost' }],
      ['the configured DOMAIN', 200, { host: 'proxy.example:443' }],
      ['a browser page served from localhost', 200, { origin: 'http://localhost:4200' }],
      ['a host nobody configured (DNS rebinding)', 403, { host: 'evil.example' }],
      ['a page on another site', 403, { origin: 'https://evil.example' }],
      ['an Origin that is not a URL', 403, { origin: 'null' }],
    ])('%s → %i', async (_case, status, headers: Record<string, string>) => {
      const reply = await call('POST', '/mcp/notes', withKey(KEYS.admin, headers));
      expect(reply.status).toBe(status);
      if (status === 403)
        expect(reply.json().error).toEqual({ code: INVALID_REQUEST, message: 'Origin or Host not allowed (set DOMAIN or ALLOWED_HOSTS)' });
    });

    it('is checked before the credential: a bad Host learns nothing about the key', async () => {
      const reply = await call('POST', '/mcp/notes', withKey(KEYS.wrong, { host: 'evil.example' }));
      expect(reply.status).toBe(403);
      expect(refusals).toEqual([]);
    });

    it('follows ALLOWED_HOSTS as it changes at run time', async () => {
      expect((await call('POST', '/mcp/notes', withKey(KEYS.admin, { host: 'mcp.internal' }))).status).toBe(403);
      onHostsChange(['mcp.internal']);
      expect((await call('POST', '/mcp/notes', withKey(KEYS.admin, { host: 'mcp.internal' }))).status).toBe(200);
    });
  });

  describe('credentials', () => {
    it('asks for an API key with a plain Bearer challenge, and does not audit a bare request', async () => {
      const reply = await call('POST', '/mcp/notes');
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="mcp-proxy"');
      expect(reply.json().error).toEqual({
        code: INVALID_REQUEST,
        message: 'A valid API key (X-API-Key or Authorization: Bearer) is required',
      });
      expect(refusals).toEqual([]);
    });

    it('points an OAuth client at the resource metadata (RFC 9728) when it comes without a token', async () => {
      const reply = await call('POST', '/mcp/vault');
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe(
        `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp/vault"`,
      );
      expect(reply.json().error?.message).toBe('A valid access token (Authorization: Bearer) is required');
    });

    it('adds error="invalid_token" for a token that failed, and audits it without the query', async () => {
      const reply = await call('POST', '/mcp/vault?token=secret-in-query', bearer(KEYS.wrong));
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe(
        `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp/vault", error="invalid_token"`,
      );
      expect(refusals).toEqual([
        { status: 401, method: 'POST', path: '/mcp/vault', address: '127.0.0.1', reason: 'invalid, expired or revoked credential' },
      ]);
    });

    it.each([
      ['X-API-Key', withKey(KEYS.admin), '/mcp/notes'],
      ['Authorization: Bearer', bearer(KEYS.admin), '/mcp/notes'],
    ])('accepts a credential in %s', async (_case, headers: Record<string, string>, path) => {
      const reply = await call('POST', path, headers);
      expect(reply.status).toBe(200);
      expect(reply.json().handledBy).toBe('streamable.post');
    });

    it('takes no credential from the query of a plain HTTP request (only WebSocket upgrades may carry one there)', async () => {
      const reply = await call('POST', `/mcp/notes?token=${KEYS.admin}`);
      expect(reply.status).toBe(401);
      expect(refusals).toEqual([]);
    });

    it('does not tell a stranger whether a service exists (401, not 404)', async () => {
      expect((await call('POST', '/mcp/no-such-service')).status).toBe(401);
      const known = await call('POST', '/mcp/no-such-service', withKey(KEYS.admin));
      expect(known.status).toBe(404);
      expect(known.json().error).toEqual({ code: METHOD_NOT_FOUND, message: 'Unknown MCP service "no-such-service"' });
    });

    it('answers 429 with Retry-After once an address has failed too often with a guessable key, even for the right one', async () => {
      for (let attempt = 0; attempt < FAILURE_LIMIT; attempt++)
        expect((await call('POST', '/mcp/notes', withKey('wrong-key'))).status).toBe(401);
      const reply = await call('POST', '/mcp/notes', withKey(KEYS.weak));
      expect(reply.status).toBe(429);
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      expect(reply.json().error?.message).toBe('Too many failed authentication attempts');
    });

    it('still lets a strong credential in from an address that failed too often', async () => {
      for (let attempt = 0; attempt <= FAILURE_LIMIT; attempt++) await call('POST', '/mcp/notes', withKey(KEYS.wrong));
      expect((await call('POST', '/mcp/notes', withKey(KEYS.wrong))).status).toBe(429);
      expect((await call('POST', '/mcp/notes', withKey(KEYS.admin))).status).toBe(200);
    });
  });

  describe('what a valid credential may still not do', () => {
    it.each([
      ['a token limited to other services', '/mcp/notes', withKey(KEYS.scoped), 403, 'This credential is not allowed to use "notes"'],
      [
        'a token limited to some tools, on a reverse-proxied service',
        '/mcp/web',
        withKey(KEYS.toolLimited),
        403,
        '"web" is reverse-proxied: a credential limited to some tools cannot use it',
      ],
      [
        'a named viewer on a reverse-proxied service (its calls cannot be told from its lists there)',
        '/mcp/web',
        bearer(KEYS.viewer),
        403,
        '"web" is reverse-proxied, where a list cannot be told from a call: viewers may list but not call: ask an operator or use a client token',
      ],
      ['an OAuth token on an API-key service', '/mcp/notes', bearer(KEYS.oauth), 401, undefined],
      ['an OAuth token issued for another resource (RFC 8707)', '/mcp/vault', bearer(KEYS.oauthElsewhere), 401, undefined],
    ])('refuses %s', async (_case, path, headers: Record<string, string>, status, message) => {
      const reply = await call('POST', path, headers);
      expect(reply.status).toBe(status);
      if (message) expect(reply.json().error?.message).toBe(message);
      if (status === 401) expect(reply.headers['www-authenticate']).toContain('Bearer');
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ status, path: path.split('?')[0] });
      expect(refusals[0].actor).toBeDefined();
    });

    it.each([
      ['an OAuth token for this very resource, in the header', '/mcp/vault', bearer(KEYS.oauth)],
      ['the API key on an OAuth service, in the header', '/mcp/vault', withKey(KEYS.admin)],
      ['a tool-limited token on a stdio service (tools are checked per call)', '/mcp/notes', withKey(KEYS.toolLimited)],
      ['a named viewer on a stdio service (methods are checked per request)', '/mcp/notes', bearer(KEYS.viewer)],
    ])('lets through %s', async (_case, path, headers: Record<string, string>) => {
      const reply = await call('POST', path, headers);
      expect(reply.status).toBe(200);
      expect(refusals).toEqual([]);
    });
  });

  describe('WebSocket upgrades', () => {
    const upgrade = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };

    it.each([
      ['an API key in the query, for an API-key service', 200, `/mcp/ws?service=notes&token=${KEYS.admin}`, {}],
      ['an OAuth token in the header, for its resource', 200, '/mcp/ws?service=vault', bearer(KEYS.oauth)],
      ['an OAuth token in the query (OAuth 2.1 forbids it)', 401, `/mcp/ws?service=vault&token=${KEYS.oauth}`, {}],
      ['the API key in the query, for an OAuth service', 401, `/mcp/ws?service=vault&token=${KEYS.admin}`, {}],
      ['no credential', 401, '/mcp/ws?service=notes', {}],
      ['a path outside /mcp', 404, '/elsewhere', {}],
    ])('with %s → %i', async (_case, status, path, headers: Record<string, string>) => {
      const reply = await call('GET', path, { ...upgrade, ...headers });
      expect(reply.status).toBe(status);
      if (status === 200) expect(reply.json().handledBy).toBe('websocket.upgrade');
    });
  });

  describe('routing after the gate', () => {
    it.each([
      ['POST', '/mcp/notes', 'streamable.post'],
      ['GET', '/mcp/notes', 'streamable.get'],
      ['DELETE', '/mcp/notes', 'streamable.delete'],
      ['GET', '/mcp/notes/sse', 'legacy.open'],
      ['POST', '/mcp/notes/messages?sessionId=abc', 'legacy.message'],
      ['POST', '/mcp/web/anything', 'http.forward'],
      ['GET', '/mcp/web', 'http.forward'],
    ])('%s %s → %s', async (method, path, handledBy) => {
      const reply = await call(method, path, withKey(KEYS.admin));
      expect(reply.status).toBe(200);
      expect(reply.json().handledBy).toBe(handledBy);
    });

    it.each([
      ['PUT', '/mcp/notes', 405, 'GET, POST, DELETE'],
      ['POST', '/mcp/notes/sse', 405, 'GET'],
      ['GET', '/mcp/notes/messages', 405, 'POST'],
      ['POST', '/mcp/notes/elsewhere', 404, undefined],
    ])('%s %s → %i', async (method, path, status, allow) => {
      const reply = await call(method, path, withKey(KEYS.admin));
      expect(reply.status).toBe(status);
      expect(reply.headers['allow']).toBe(allow);
      expect(reply.json().error?.code).toBe(METHOD_NOT_FOUND);
    });

    it.each([
      ['a path outside /mcp', 404, '/api/services'],
      ['the WebSocket endpoint without an upgrade', 426, '/mcp/ws'],
    ])('answers %s with %i before any credential check', async (_case, status, path) => {
      const reply = await call('GET', path);
      expect(reply.status).toBe(status);
      expect(refusals).toEqual([]);
    });

    it('answers 503 with Retry-After and Connection: close while the proxy drains', async () => {
      draining = true;
      const reply = await call('POST', '/mcp/notes', withKey(KEYS.admin));
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(reply.headers['connection']).toBe('close');
      expect(reply.json().error?.code).toBe(SERVER_UNAVAILABLE);
    });

    it('answers 500 with a JSON-RPC error when a transport fails', async () => {
      throwing = true;
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const reply = await call('POST', '/mcp/notes', withKey(KEYS.admin));
      expect(reply.status).toBe(500);
      expect(reply.json().error).toEqual({ code: INTERNAL_ERROR, message: 'Internal proxy error' });
    });
  });
});
