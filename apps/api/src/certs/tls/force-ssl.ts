import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { HEALTH_PATH, READY_PATH } from '@mcp-proxy/shared/dto';
import { ClientOrigin } from '../../core/http/client-origin';
import { ACME_CHALLENGE_PREFIX } from '../acme/http01-challenges';
import { CERTS_SETTINGS, CertsSettings } from '../certs-settings';

/** Paths the plain port keeps answering under FORCE_SSL: the CA validates over HTTP, and probes check liveness. */
export function exemptFromForceSsl(url: string): boolean {
  const path = url.split('?')[0];
  return path === HEALTH_PATH || path === READY_PATH || path.startsWith(`${ACME_CHALLENGE_PREFIX}/`);
}

/**
 * `https://<host the client used>:<HTTPS_PORT><path and query>`. A Host header that is not a plain
 * host name or IP (with an optional port) is not echoed: the fallback host is used instead.
 */
export function httpsLocation(hostHeader: string | undefined, url: string, httpsPort: number, fallbackHost: string): string {
  const host = hostOf(hostHeader) ?? fallbackHost;
  const authority = isIP(host) === 6 ? `[${host}]` : host;
  const path = url.startsWith('/') ? url : `/${url}`;
  return `https://${authority}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
}

function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(header);
  if (bracketed) return isIP(bracketed[1]) === 6 ? bracketed[1].toLowerCase() : undefined;
  const named = /^([a-z0-9.-]{1,253})(?::\d{1,5})?$/i.exec(header);
  return named ? named[1].toLowerCase() : undefined;
}

type Guard<Args extends unknown[]> = (...args: Args) => boolean;

/**
 * Puts `guard` in front of every listener the server already has for `event`: when it returns true
 * (it answered), the others never see the request.
 */
function interpose<Args extends unknown[]>(server: Server, event: 'request' | 'upgrade', guard: Guard<Args>): void {
  const listeners = server.listeners(event) as ((...args: Args) => void)[];
  server.removeAllListeners(event);
  server.on(event, (...args: unknown[]) => {
    if (guard(...(args as Args))) return;
    for (const listener of listeners) listener.apply(server, args as Args);
  });
}

/**
 * FORCE_SSL: a plain HTTP listener answers 308 to the HTTPS port, except for ACME challenges, /health and /health/ready,
 * and except for requests a trusted reverse proxy says arrived over https (it terminated TLS).
 */
@Injectable()
export class ForceSsl {
  constructor(
    @Inject(CERTS_SETTINGS) private readonly settings: CertsSettings,
    private readonly client: ClientOrigin,
  ) {}

  /** Call after the server's own listeners are attached; does nothing unless FORCE_SSL is on. */
  install(server: Server): void {
    if (!this.settings.enabled || !this.settings.forceSsl) return;
    interpose<[IncomingMessage, ServerResponse]>(server, 'request', (request, response) => this.redirect(request, response));
    interpose<[IncomingMessage, Duplex, Buffer]>(server, 'upgrade', (request, socket) => this.redirectUpgrade(request, socket));
  }

  private redirect(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '/';
    if (exemptFromForceSsl(url) || this.client.protocol(request) === 'https') return false;
    const location = this.location(request);
    const body = `Redirecting to ${location}\n`;
    // 308 keeps the method and body: a POST of an MCP client is repeated as a POST.
    response.writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  }

  /** A WebSocket over plain HTTP gets the same answer; clients that follow redirects reconnect over wss. */
  private redirectUpgrade(request: IncomingMessage, socket: Duplex): boolean {
    if (exemptFromForceSsl(request.url ?? '/') || this.client.protocol(request) === 'https') return false;
    socket.end(`HTTP/1.1 308 Permanent Redirect\r\nLocation: ${this.location(request)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return true;
  }

  private location(request: IncomingMessage): string {
    return httpsLocation(
      this.client.host(request),
      request.url ?? '/',
      this.settings.httpsPort,
      this.settings.domain?.replace(/^\*\./, '') ?? 'localhost',
    );
  }
}
