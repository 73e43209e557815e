import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { TLSSocket } from 'node:tls';

/**
 * HSTS, sent by the HTTPS listener itself on every response (the raw MCP lanes bypass Express).
 * Never on plain HTTP: there it would mean nothing to browsers, and it must not lock them out of a port without TLS.
 */
export const HSTS_HEADER_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * CSP fits the admin app (Angular inlines component styles; the live gateway uses WebSockets).
 * `upgrade-insecure-requests` only on pages served over TLS: on the plain ports (TLS on but not
 * forced) it would send the page's own requests to https on the same port, where nothing answers TLS.
 */
export function securityHeaders(tls: boolean) {
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'", 'ws:', 'wss:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  };
  const headers = (upgrade: boolean) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: upgrade ? { ...directives, upgradeInsecureRequests: [] } : directives },
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    });
  const plain = headers(false);
  if (!tls) return plain;
  const secure = headers(true);
  return (request: Request, response: Response, next: NextFunction): void =>
    ((request.socket as TLSSocket).encrypted ? secure : plain)(request, response, next);
}
