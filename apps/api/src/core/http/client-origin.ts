import type { FactoryProvider } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AppConfig } from '../config/app-config';
import { lastForwardedValue, TrustedProxies } from './trusted-proxies';

export type ClientProtocol = 'http' | 'https';

/** A Host value we are willing to echo into a URL: a name or IP literal with an optional port. */
const HOST_SYNTAX = /^[a-z0-9.\-[\]:]+$/i;

/**
 * The one answer to "who is asking, over which scheme, for which host" for every consumer: failed-auth
 * counting, rate limits, audit, logs and the public URLs we build. Behind a reverse proxy listed in
 * TRUSTED_PROXIES the answers come from X-Forwarded-For/-Proto/-Host; from any other peer those
 * headers are ignored and the socket speaks for itself.
 */
export class ClientOrigin {
  private readonly proxies: TrustedProxies;

  /** `trustedProxies`: TRUSTED_PROXIES as validated at start-up (see `clientOriginProvider`). */
  constructor(trustedProxies: readonly string[]) {
    this.proxies = new TrustedProxies(trustedProxies);
  }

  /** The client's IP address (the socket peer's unless that peer is a trusted proxy). */
  address(request: IncomingMessage): string {
    const peer = request.socket?.remoteAddress;
    if (peer === undefined) return 'unknown';
    return this.proxies.clientAddress(peer, joined(request.headers['x-forwarded-for']));
  }

  /** The scheme the client used to reach us: a trusted proxy's X-Forwarded-Proto, else our own socket's. */
  protocol(request: IncomingMessage): ClientProtocol {
    const forwarded = this.fromProxy(request, 'x-forwarded-proto')?.toLowerCase();
    if (forwarded === 'http' || forwarded === 'https') return forwarded;
    return (request.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
  }

  /** The host (with port) the client addressed: a trusted proxy's X-Forwarded-Host, else Host. Undefined when absent or malformed. */
  host(request: IncomingMessage): string | undefined {
    const forwarded = this.fromProxy(request, 'x-forwarded-host');
    const host = forwarded ?? request.headers.host;
    return host !== undefined && HOST_SYNTAX.test(host) ? host.toLowerCase() : undefined;
  }

  /** The nearest proxy's value of a forwarded header, only when the socket peer is one we trust. */
  private fromProxy(request: IncomingMessage, header: string): string | undefined {
    if (this.proxies.empty || !this.proxies.trusts(request.socket?.remoteAddress)) return undefined;
    return lastForwardedValue(request.headers[header]);
  }
}

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The app's one `ClientOrigin`, built from TRUSTED_PROXIES (read once: a change needs a restart). */
export const clientOriginProvider: FactoryProvider<ClientOrigin> = {
  provide: ClientOrigin,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new ClientOrigin(config.get('TRUSTED_PROXIES')),
};
