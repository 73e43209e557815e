import type { IncomingMessage } from 'node:http';
import type { ClientOrigin } from './client-origin';

/**
 * The origin clients use to reach us: `PUBLIC_URL` when set, else the scheme and host the client
 * used (behind a trusted reverse proxy, the ones it forwarded), but only when that host is one we
 * serve (an IP, localhost, DOMAIN, ALLOWED_HOSTS), so a forged Host cannot make us name someone else
 * as issuer or resource. Null when neither applies.
 */
export function publicBaseUrl(
  configured: string | undefined,
  request: IncomingMessage,
  client: ClientOrigin,
  isKnownHost: (host: string) => boolean,
): string | null {
  if (configured) return configured;
  const host = client.host(request);
  if (!host || !isKnownHost(host)) return null;
  return `${client.protocol(request)}://${host}`;
}

/** RFC 9728 §3.1: the well-known segment goes between the origin and the resource's path. */
export function protectedResourceMetadataUrl(base: string, resourcePath: string): string {
  return `${base}/.well-known/oauth-protected-resource${resourcePath}`;
}
