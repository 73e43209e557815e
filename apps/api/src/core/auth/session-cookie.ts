import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { PORTAL_REQUEST_HEADER, SESSION_COOKIE } from '@mcp-proxy/shared/dto';
import { ClientOrigin } from '../http/client-origin';
import { cookieValue } from '../http/cookies';

/** Methods that change nothing: a cookie alone may carry them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The UI session as a cookie beside the bearer token, so a sign-in reaches every tab and survives a
 * reload while page scripts never hold it: httpOnly, SameSite=Strict (never sent from another site),
 * Secure over HTTPS. It carries the same session token, so logout (the session's row ended) ends it
 * everywhere. Cross-site request forgery is shut twice: SameSite=Strict, and a state-changing request
 * that relies on the cookie must carry PORTAL_REQUEST_HEADER, which a form of another site cannot set
 * and a script of another origin cannot send without a CORS preflight we never grant.
 */
@Injectable()
export class SessionCookie {
  constructor(private readonly client: ClientOrigin) {}

  set(response: Response, request: IncomingMessage, token: string, expiresAt: string): void {
    const maxAge = Math.max(0, Date.parse(expiresAt) - Date.now());
    response.cookie(SESSION_COOKIE, token, { ...this.options(request), maxAge });
  }

  clear(response: Response, request: IncomingMessage): void {
    response.clearCookie(SESSION_COOKIE, this.options(request));
  }

  private options(request: IncomingMessage): { httpOnly: true; sameSite: 'strict'; secure: boolean; path: string } {
    return { httpOnly: true, sameSite: 'strict', secure: this.client.protocol(request) === 'https', path: '/' };
  }
}

/**
 * The session token a request carries in the cookie, when it may be used: always for a safe method,
 * else only with PORTAL_REQUEST_HEADER. Undefined otherwise (the request is then anonymous).
 */
export function cookieCredential(request: IncomingMessage): string | undefined {
  const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
  if (!token) return undefined;
  const method = (request.method ?? 'GET').toUpperCase();
  if (!SAFE_METHODS.has(method) && !request.headers[PORTAL_REQUEST_HEADER]) return undefined;
  return token;
}
