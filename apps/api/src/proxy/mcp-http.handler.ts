import { Injectable, Logger } from '@nestjs/common';
import { INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthService } from '../core/auth/auth.service';
import { clientAddress, extractCredential } from '../core/auth/credentials';
import { FailedAuthLimiter } from '../core/auth/failed-auth-limiter';
import type { Principal } from '../core/auth/principal';
import { AppConfig } from '../core/config/app-config.service';
import { RuntimeSettings } from '../core/config/runtime-settings.service';
import { headerValue, sendRpcError } from './http/http-io';
import { OriginPolicy } from './http/origin-policy';
import { McpEndpoint, parseMcpPath, queryParam } from './routing/mcp-path';
import { RouteTable, ServiceRoute } from './routing/route-table';
import { HttpServiceTransport } from './transports/http-service.transport';
import { LegacySseTransport } from './transports/legacy-sse.transport';
import { StreamableHttpTransport } from './transports/streamable-http.transport';
import { WebSocketTransport } from './transports/websocket.transport';

type Gate = { ok: true; principal: Principal; route: ServiceRoute } | { ok: false; status: number; code: number; message: string; headers?: Record<string, string> };

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="mcp-proxy"' };

/**
 * Entry of the data plane, in front of Express: the same short list of checks for every MCP
 * request (path → Origin → credentials → service), then the transport that owns the endpoint.
 */
@Injectable()
export class McpHttpHandler {
  private readonly logger = new Logger('McpProxy');
  private origins: OriginPolicy;

  constructor(
    config: AppConfig,
    settings: RuntimeSettings,
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    private readonly routes: RouteTable,
    private readonly streamable: StreamableHttpTransport,
    private readonly legacy: LegacySseTransport,
    private readonly websocket: WebSocketTransport,
    private readonly httpServices: HttpServiceTransport,
  ) {
    const fixed = [config.get('DOMAIN'), config.get('PUBLIC_IP'), config.get('PRIVATE_IP')];
    this.origins = new OriginPolicy([...fixed, ...settings.get('ALLOWED_HOSTS')]);
    // ALLOWED_HOSTS can change at runtime (Settings): the next request is checked against the new list.
    settings.onChange('ALLOWED_HOSTS', (hosts) => (this.origins = new OriginPolicy([...fixed, ...hosts])));
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    this.route(request, response).catch((error: unknown) => {
      this.logger.error({ err: error, path: request.url?.split('?')[0] }, 'MCP request failed');
      sendRpcError(response, 500, INTERNAL_ERROR, 'Internal proxy error');
    });
  }

  /**
   * WebSocket upgrades: MCP over WebSocket on /mcp/ws, or a reverse-proxied `http` service's own
   * WebSocket under /mcp/<service>/…. The same checks, answered as HTTP before the upgrade.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const endpoint = parseMcpPath(request.url ?? '');
    if (!endpoint) return rejectUpgrade(socket, 404, 'Not Found');
    this.gate(request, endpoint, queryParam((request.url ?? '').split('?')[1] ?? '', 'token'))
      .then((gate) => {
        if (!gate.ok) return rejectUpgrade(socket, gate.status, gate.message, gate.headers);
        if (endpoint.kind === 'websocket') return this.websocket.upgrade(request, socket, head, gate.route, gate.principal);
        if (gate.route.transport === 'http') return this.httpServices.upgrade(request, socket, head, gate.route, endpoint.rest);
        rejectUpgrade(socket, 404, 'Not Found');
      })
      .catch(() => rejectUpgrade(socket, 500, 'Internal proxy error'));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const endpoint = parseMcpPath(request.url ?? '');
    if (!endpoint) return sendRpcError(response, 404, METHOD_NOT_FOUND, 'No MCP endpoint here: use /mcp/<service>');
    if (endpoint.kind === 'websocket') return sendRpcError(response, 426, METHOD_NOT_FOUND, 'Use a WebSocket upgrade (subprotocol "mcp") on this URL', null, { upgrade: 'websocket' });
    const gate = await this.gate(request, endpoint, null);
    if (!gate.ok) return sendRpcError(response, gate.status, gate.code, gate.message, null, gate.headers);
    const { principal, route } = gate;
    const method = request.method ?? 'GET';
    if (route.transport === 'http') return this.httpServices.forward(request, response, route, endpoint.base, endpoint.rest);

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
    if (!this.origins.allows(headerValue(request, 'origin'), headerValue(request, 'host'))) {
      return { ok: false, status: 403, code: INVALID_REQUEST, message: 'Origin or Host not allowed (set DOMAIN or ALLOWED_HOSTS)' };
    }
    const address = clientAddress(request);
    const waitMs = this.failures.retryAfterMs(address);
    if (waitMs > 0) {
      return { ok: false, status: 429, code: INVALID_REQUEST, message: 'Too many failed authentication attempts', headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) } };
    }
    const principal = await this.auth.verify(extractCredential(request.headers) ?? queryToken ?? undefined);
    if (!principal) {
      this.failures.recordFailure(address);
      return { ok: false, status: 401, code: INVALID_REQUEST, message: 'A valid API key (X-API-Key or Authorization: Bearer) is required', headers: UNAUTHORIZED_HEADERS };
    }
    const key = endpoint.service;
    const route = key ? await this.routes.resolve(key) : undefined;
    if (!route) return { ok: false, status: 404, code: METHOD_NOT_FOUND, message: `Unknown MCP service "${key ?? ''}"` };
    return { ok: true, principal, route };
  }
}

function rejectUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${message}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
