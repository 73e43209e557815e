import { Injectable, Logger } from '@nestjs/common';
import { INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import { MCP_PATH_PREFIX } from '@mcp-proxy/shared/dto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ClusterRouter } from '../cluster/cluster-router';
import { DRAINING_HEADER } from '../cluster/instance-identity';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AUTH_EVENTS, AuthRefusal } from '../core/auth/auth-events';
import { CredentialRegistry } from '../core/auth/credential-registry';
import { CredentialWatch } from '../core/auth/credential-watch';
import { extractCredential } from '../core/auth/credentials';
import { cookieCredential } from '../core/auth/session-cookie';
import { FailedAuthLimiter } from '../core/auth/failed-auth-limiter';
import { mayOnlyListMcp, type Principal } from '../core/auth/principal';
import { AppConfig } from '../core/config/app-config';
import { ClientOrigin } from '../core/http/client-origin';
import { GracefulShutdown } from '../core/http/graceful-shutdown';
import { protectedResourceMetadataUrl, publicBaseUrl } from '../core/http/public-url';
import { RawRoute } from '../core/http/raw-routes';
import { UpgradeRoute } from '../core/http/upgrade-router';
import { RuntimeSettings } from '../core/config/runtime-settings';
import { headerValue, sendRpcError } from '../core/http/http-io';
import { OriginPolicy } from '../core/http/origin-policy';
import { McpEndpoint, parseMcpPath, queryParam } from './routing/mcp-path';
import { LIST_ONLY_REASON, serviceAllowed } from './scope/tool-scope';
import { RouteTable, ServiceRoute } from './routing/route-table';
import { SessionStore } from './sessions/session-store';
import { HttpServiceTransport } from './transports/http-service.transport';
import { LegacySseTransport } from './transports/legacy-sse.transport';
import { StreamableHttpTransport } from './transports/streamable-http.transport';
import { WebSocketTransport } from './transports/websocket.transport';

type Gate =
  | { ok: true; principal: Principal; route: ServiceRoute; credential: string }
  | { ok: false; status: number; code: number; message: string; headers?: Record<string, string> };

/** WebSocket close code for a credential that ended while the connection was open (application range, as on the live gateway). */
export const CLOSE_CREDENTIAL_ENDED = 4401;

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="mcp-proxy"' };

/**
 * Entry of the data plane, in front of Express: the same short list of checks for every MCP
 * request (path → Origin → credentials → service), then the transport that owns the endpoint.
 */
@Injectable()
export class McpHttpHandler {
  private readonly logger = new Logger('McpProxy');
  private origins: OriginPolicy;
  private calls = 0;
  private readonly publicUrl: string | undefined;

  constructor(
    config: AppConfig,
    settings: RuntimeSettings,
    private readonly shutdown: GracefulShutdown,
    private readonly credentials: CredentialRegistry,
    private readonly failures: FailedAuthLimiter,
    private readonly routes: RouteTable,
    private readonly streamable: StreamableHttpTransport,
    private readonly legacy: LegacySseTransport,
    private readonly websocket: WebSocketTransport,
    private readonly httpServices: HttpServiceTransport,
    private readonly cluster: ClusterRouter,
    private readonly events: EventEmitter2,
    private readonly watch: CredentialWatch,
    private readonly sessions: SessionStore,
    private readonly client: ClientOrigin,
  ) {
    this.publicUrl = config.get('PUBLIC_URL');
    const publicHost = this.publicUrl ? new URL(this.publicUrl).hostname : undefined;
    const fixed = [config.get('DOMAIN'), config.get('PUBLIC_IP'), config.get('PRIVATE_IP'), publicHost];
    this.origins = new OriginPolicy([...fixed, ...settings.get('ALLOWED_HOSTS')]);
    // ALLOWED_HOSTS can change at runtime (Settings): the next request is checked against the new list.
    settings.onChange('ALLOWED_HOSTS', (hosts) => (this.origins = new OriginPolicy([...fixed, ...hosts])));
  }

  /** Requests being handled, long-lived GET streams aside (a graceful stop waits for these). */
  get callsInProgress(): number {
    return this.calls;
  }

  /** `/mcp` and everything under it, in front of Express: the gate below is this path's only check. */
  @RawRoute(MCP_PATH_PREFIX)
  handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.shutdown.draining) {
      return sendRpcError(response, 503, SERVER_UNAVAILABLE, 'The proxy is restarting; retry in a moment', null, {
        'retry-after': '1',
        connection: 'close',
        [DRAINING_HEADER]: '1',
      });
    }
    if (request.method !== 'GET') {
      this.calls++;
      response.once('close', () => this.calls--);
    }
    this.route(request, response).catch((error: unknown) => {
      this.logger.error({ err: error, path: request.url?.split('?')[0] }, 'MCP request failed');
      sendRpcError(response, 500, INTERNAL_ERROR, 'Internal proxy error');
    });
  }

  /**
   * WebSocket upgrades: MCP over WebSocket on /mcp/ws, or a reverse-proxied `http` service's own
   * WebSocket under /mcp/<service>/…. The same checks, answered as HTTP before the upgrade.
   */
  @UpgradeRoute({ prefix: `${MCP_PATH_PREFIX}/` })
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const endpoint = parseMcpPath(request.url ?? '');
    if (!endpoint) return rejectUpgrade(socket, 404, 'Not Found');
    if (this.shutdown.draining) return rejectUpgrade(socket, 503, 'Service Unavailable', { 'retry-after': '1' });
    this.gate(request, endpoint, queryParam((request.url ?? '').split('?')[1] ?? '', 'token'))
      .then(async (gate) => {
        if (!gate.ok) return rejectUpgrade(socket, gate.status, gate.message, gate.headers);
        const owner =
          this.cluster.enabled && gate.route.kind === 'service' ? await this.cluster.ownerElsewhere(gate.route.id, request) : null;
        if (endpoint.kind === 'websocket' && !owner) {
          return this.websocket.upgrade(request, socket, head, gate.route, gate.principal, (ws) =>
            this.endOnRevocation(gate, ws, ws.readyState !== ws.OPEN, () => closeRevoked(ws)),
          );
        }
        this.endOnRevocation(gate, socket, socket.destroyed, () => socket.destroy());
        if (owner) return this.cluster.upgrade(request, socket, head, owner);
        if (endpoint.kind !== 'websocket' && gate.route.transport === 'http')
          return this.httpServices.upgrade(request, socket, head, gate.route, endpoint.rest);
        rejectUpgrade(socket, 404, 'Not Found');
      })
      .catch(() => rejectUpgrade(socket, 500, 'Internal proxy error'));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const endpoint = parseMcpPath(request.url ?? '');
    if (!endpoint) return sendRpcError(response, 404, METHOD_NOT_FOUND, 'No MCP endpoint here: use /mcp/<service>');
    if (endpoint.kind === 'websocket')
      return sendRpcError(response, 426, METHOD_NOT_FOUND, 'Use a WebSocket upgrade (subprotocol "mcp") on this URL', null, {
        upgrade: 'websocket',
      });
    const gate = await this.gate(request, endpoint, null);
    if (!gate.ok) return sendRpcError(response, gate.status, gate.code, gate.message, null, gate.headers);
    const { principal, route } = gate;
    // A SSE stream ends; a call still waiting is dropped (its answer is no longer this credential's to get).
    this.endOnRevocation(gate, response, request.socket.destroyed, () => (response.headersSent ? response.end() : response.destroy()));
    // Several instances: the one that runs the service's child answers (credentials are checked there again).
    if (this.cluster.enabled && route.kind === 'service') {
      const owner = await this.cluster.ownerElsewhere(route.id, request);
      if (owner) return this.cluster.forward(request, response, route.id, owner);
    }
    const method = request.method ?? 'GET';
    if (route.transport === 'http') return this.httpServices.forward(request, response, route, principal, endpoint.base, endpoint.rest);

    switch (endpoint.kind) {
      case 'streamable':
        if (method === 'POST') return this.streamable.post(request, response, route, principal);
        if (method === 'GET') return this.streamable.get(request, response, route, principal);
        if (method === 'DELETE') return this.streamable.delete(request, response, route, principal);
        return sendRpcError(response, 405, METHOD_NOT_FOUND, `${method} is not supported here`, null, { allow: 'GET, POST, DELETE' });
      case 'legacy-sse':
        if (method === 'GET') return this.legacy.open(response, route, principal, endpoint.base);
        return sendRpcError(response, 405, METHOD_NOT_FOUND, 'Open the stream with GET', null, { allow: 'GET' });
      case 'legacy-messages':
        if (method === 'POST') return this.legacy.message(request, response, route, principal, endpoint.sessionId);
        return sendRpcError(response, 405, METHOD_NOT_FOUND, 'Send messages with POST', null, { allow: 'POST' });
      case 'other':
        return sendRpcError(response, 404, METHOD_NOT_FOUND, `No MCP endpoint at ${endpoint.rest.split('?')[0]} of "${route.name}"`);
    }
  }

  private async gate(request: IncomingMessage, endpoint: McpEndpoint, queryToken: string | null): Promise<Gate> {
    if (!this.origins.allows(headerValue(request, 'origin'), this.client.host(request))) {
      return { ok: false, status: 403, code: INVALID_REQUEST, message: 'Origin or Host not allowed (set DOMAIN or ALLOWED_HOSTS)' };
    }
    const address = this.client.address(request);
    const headerCredential = extractCredential(request.headers);
    // The portal's session cookie last (its Try-it panel in a tab that holds no token); the Origin check above applies to it.
    const credential = headerCredential ?? queryToken ?? cookieCredential(request);
    const verdict = await this.failures.verify(address, credential, (presented) => this.credentials.verify(presented));
    const principal = verdict.principal;
    const key = endpoint.service;
    if (!principal || credential === undefined) {
      if (verdict.principal === null && verdict.status === 429) {
        return {
          ok: false,
          status: 429,
          code: INVALID_REQUEST,
          message: 'Too many failed authentication attempts',
          headers: { 'retry-after': String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))) },
        };
      }
      // No reload of the route table for strangers: a lookup of what is already known.
      const known = key ? this.routes.byId(key) : undefined;
      // A bare request is how an OAuth client starts discovery: only a credential that failed is news (and counted).
      if (headerCredential ?? queryToken)
        this.audit({
          status: 401,
          method: request.method ?? 'GET',
          path: pathOf(request),
          address,
          reason: 'invalid, expired or revoked credential',
        });
      return this.unauthorized(request, known, !!(headerCredential ?? queryToken));
    }
    const route = key ? await this.routes.resolve(key) : undefined;
    if (!route) return { ok: false, status: 404, code: METHOD_NOT_FOUND, message: `Unknown MCP service "${key ?? ''}"` };
    const refusal = this.checkAccess(request, principal, route, headerCredential === undefined);
    if (refusal)
      this.audit({
        status: refusal.status === 401 ? 401 : 403,
        method: request.method ?? 'GET',
        path: pathOf(request),
        address,
        reason: refusal.message,
        actor: principal,
      });
    return refusal ?? { ok: true, principal, route, credential };
  }

  /**
   * For as long as the connection is open: a credential revoked, expired or changed (role, limits)
   * ends it, with every MCP session its principal holds here; the client reconnects with what it may now do.
   * WebSockets of `/mcp/ws` are closed by their transport, with a close code that says why.
   */
  private endOnRevocation(
    gate: Extract<Gate, { ok: true }>,
    connection: { once(event: 'close', listener: () => void): unknown },
    alreadyClosed: boolean,
    end: () => void,
  ): void {
    // Gone while its credential was being checked: its 'close' has passed, nothing to watch.
    if (alreadyClosed) return;
    const stop = this.watch.watch(gate.credential, gate.principal, () => {
      this.sessions.closeAllOfPrincipal(gate.principal.id);
      end();
    });
    connection.once('close', stop);
  }

  /** Audience, transport of the token, services and tools: what a valid credential may still not do. */
  private checkAccess(
    request: IncomingMessage,
    principal: Principal,
    route: ServiceRoute,
    fromQuery: boolean,
  ): Extract<Gate, { ok: false }> | null {
    const oauth = route.proxy.auth === 'oauth';
    if (principal.audience !== undefined || (oauth && fromQuery)) {
      // OAuth 2.1: bearer tokens only in the header; RFC 8707: only for the resource they were issued for.
      const base = publicBaseUrl(this.publicUrl, request, this.client, (host) => this.origins.allows(undefined, host));
      const expected = base ? `${base}${route.proxy.path}` : null;
      if (!oauth || fromQuery || principal.audience !== expected) return this.unauthorized(request, route, true);
    }
    if (!serviceAllowed(principal, route)) {
      return { ok: false, status: 403, code: INVALID_REQUEST, message: `This credential is not allowed to use "${route.name}"` };
    }
    if (principal.scope?.tools && route.transport === 'http') {
      // A reverse-proxied server's replies are not read, so a tool allow-list could not hold there.
      return {
        ok: false,
        status: 403,
        code: INVALID_REQUEST,
        message: `"${route.name}" is reverse-proxied: a credential limited to some tools cannot use it`,
      };
    }
    if (mayOnlyListMcp(principal) && route.transport === 'http') {
      // Nor could a list be told from a call there.
      return {
        ok: false,
        status: 403,
        code: INVALID_REQUEST,
        message: `"${route.name}" is reverse-proxied, where a list cannot be told from a call: ${LIST_ONLY_REASON}`,
      };
    }
    return null;
  }

  /** Refusals of a presented credential go to the audit log (a bare request is how OAuth discovery starts: not news). */
  private audit(refusal: AuthRefusal): void {
    this.events.emit(AUTH_EVENTS.refused, refusal);
  }

  /** 401; for an `oauth` service the challenge names its RFC 9728 metadata, so clients can discover the authorization server. */
  private unauthorized(request: IncomingMessage, route: ServiceRoute | undefined, presented: boolean): Extract<Gate, { ok: false }> {
    const base =
      route?.proxy.auth === 'oauth'
        ? publicBaseUrl(this.publicUrl, request, this.client, (host) => this.origins.allows(undefined, host))
        : null;
    const headers =
      base && route
        ? {
            'www-authenticate': `Bearer resource_metadata="${protectedResourceMetadataUrl(base, route.proxy.path)}"${presented ? ', error="invalid_token"' : ''}`,
          }
        : UNAUTHORIZED_HEADERS;
    const message = base
      ? 'A valid access token (Authorization: Bearer) is required'
      : 'A valid API key (X-API-Key or Authorization: Bearer) is required';
    return { ok: false, status: 401, code: INVALID_REQUEST, message, headers };
  }
}

/** Without the query, which may carry a token. */
function pathOf(request: IncomingMessage): string {
  return (request.url ?? '').split('?')[0];
}

/** 4401 (application range, as on the live gateway): the credential was revoked, expired or changed; a stuck peer is cut after a moment. */
function closeRevoked(ws: WebSocket): void {
  ws.close(CLOSE_CREDENTIAL_ENDED, 'credential revoked, expired or changed');
  setTimeout(() => ws.terminate(), 2000).unref();
}

function rejectUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${message}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
