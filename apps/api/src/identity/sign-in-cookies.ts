import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SecretBox } from '../core/crypto/secret-box';
import { ClientOrigin } from '../core/http/client-origin';
import { cookieValue } from '../core/http/cookies';

/** Pending sign-in: state, nonce and PKCE verifier, and where to go afterwards. Only the callback reads it. */
const PENDING = 'mcp_oidc_pending';
/** The finished sign-in's session, picked up once by the portal. */
const RESULT = 'mcp_oidc_result';
const BASE_PATH = '/api/auth/oidc';
/** Time to sign in at the provider. */
const PENDING_TTL_MS = 10 * 60 * 1000;
/** Time for the portal to load and pick the session up. */
const RESULT_TTL_MS = 60 * 1000;

/**
 * What a sign-in through the provider keeps between requests, in cookies sealed with ENCRYPTION_KEY
 * (AES-256-GCM: neither readable nor forgeable by the browser) with an expiry inside the seal. Every
 * instance shares the key, so the provider's redirect may land on any of them; nothing is kept in
 * one process's memory. HttpOnly, SameSite=Lax (the provider's redirect is a top-level GET that must
 * carry it), Secure over HTTPS, and scoped to the sign-in's own paths.
 */
@Injectable()
export class SignInCookies {
  constructor(
    private readonly box: SecretBox,
    private readonly client: ClientOrigin,
  ) {}

  setPending<T>(response: Response, request: Request, value: T): void {
    this.set(response, request, PENDING, `${BASE_PATH}/callback`, value, PENDING_TTL_MS);
  }

  /** Read and cleared: a pending sign-in is used once. */
  takePending<T>(request: Request, response: Response): T | null {
    return this.take(request, response, PENDING, `${BASE_PATH}/callback`);
  }

  setResult<T>(response: Response, request: Request, value: T): void {
    this.set(response, request, RESULT, `${BASE_PATH}/session`, value, RESULT_TTL_MS);
  }

  takeResult<T>(request: Request, response: Response): T | null {
    return this.take(request, response, RESULT, `${BASE_PATH}/session`);
  }

  private set(response: Response, request: Request, name: string, path: string, value: unknown, ttlMs: number): void {
    const sealed = this.box.encryptJson({ value, expiresAt: Date.now() + ttlMs });
    response.cookie(name, sealed, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.client.protocol(request) === 'https',
      path,
      maxAge: ttlMs,
    });
  }

  private take<T>(request: Request, response: Response, name: string, path: string): T | null {
    const raw = cookieValue(request.headers.cookie, name);
    response.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: this.client.protocol(request) === 'https', path });
    if (!raw) return null;
    try {
      const opened = this.box.decryptJson<{ value: T; expiresAt: number }>(raw);
      return opened.expiresAt > Date.now() ? opened.value : null;
    } catch {
      return null;
    }
  }
}
