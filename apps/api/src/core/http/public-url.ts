import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * The origin clients use to reach us: `PUBLIC_URL` when set, else the request's own scheme and
 * Host, but only when that Host is one we serve (an IP, localhost, DOMAIN, ALLOWED_HOSTS), so a
 * forged Host cannot make us name someone else as issuer or resource. Null when neither applies.
 */
export function publicBaseUrl(configured: string | undefined, request: IncomingMessage, isKnownHost: (host: string) => boolean): string | null {
  if (configured) return configured;
  const host = request.headers.host;
  if (!host || !/^[a-z0-9.\-[\]:]+$/i.test(host) || !isKnownHost(host)) return null;
  const scheme = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return `${scheme}://${host.toLowerCase()}`;
}

/** RFC 9728 §3.1: the well-known segment goes between the origin and the resource's path. */
export function protectedResourceMetadataUrl(base: string, resourcePath: string): string {
  return `${base}/.well-known/oauth-protected-resource${resourcePath}`;
}
