import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { SecretBox } from '../core/crypto/secret-box';
import { ClientOrigin } from '../core/http/client-origin';
import { PublicOrigin } from '../core/http/public-origin';
import { OAuthService, UpstreamConnections } from './upstream-connections.service';
import { CALLBACK_PATH } from './upstream-client-document';
import { UpstreamElicitations } from './upstream-elicitations';
import { authorizationUrl, exchangeCode } from './upstream-oauth-client';

/** The pending connection: which service, whose, the PKCE verifier and the state it must come back with. */
const PENDING_COOKIE = 'mcp_upstream_oauth';
const PENDING_TTL_MS = 10 * 60 * 1000;

interface Pending {
  serviceId: string;
  principalKey: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: number;
  /** Started from a URL elicitation: its id and the MCP session told of the completion. */
  elicitation?: { id: string; sessionId: string };
}

export type ConnectOutcome = { ok: true; serviceId: string } | { ok: false; serviceId: string | null; error: string };

/**
 * The authorization-code round trip of a connection. What it needs between the start and the callback
 * lives in a cookie sealed with ENCRYPTION_KEY (HttpOnly, SameSite=Lax, scoped to the callback), so the
 * callback completes only in the browser that started it, for the principal that started it, once; the
 * `state` parameter must match the sealed one.
 */
@Injectable()
export class UpstreamConnectFlow {
  private readonly logger = new Logger('UpstreamConnectFlow');

  constructor(
    private readonly connections: UpstreamConnections,
    private readonly box: SecretBox,
    private readonly client: ClientOrigin,
    private readonly origin: PublicOrigin,
    private readonly elicitations: UpstreamElicitations,
  ) {}

  redirectUri(request: Request): string | null {
    const base = this.origin.of(request);
    return base ? `${base}${CALLBACK_PATH}` : null;
  }

  /** Discovery, the client (registered now if needed), and the authorization URL; the pending part goes in the cookie. */
  async start(
    service: OAuthService,
    principalKey: string,
    redirectUri: string,
    request: Request,
    response: Response,
    elicitation?: Pending['elicitation'],
  ): Promise<string> {
    const server = await this.connections.authServer(service);
    const client = await this.connections.clientFor(service, server, redirectUri);
    const scopes = service.settings.oauth?.scopes ?? server.scopesSupported;
    const state = randomBytes(24).toString('base64url');
    const started = await authorizationUrl(server, client, redirectUri, scopes, state);
    const pending: Pending = {
      serviceId: service.id,
      principalKey,
      state,
      codeVerifier: started.codeVerifier,
      redirectUri,
      expiresAt: Date.now() + PENDING_TTL_MS,
      ...(elicitation ? { elicitation } : {}),
    };
    response.cookie(PENDING_COOKIE, this.box.encryptJson(pending), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.client.protocol(request) === 'https',
      path: CALLBACK_PATH,
      maxAge: PENDING_TTL_MS,
    });
    return started.authorizationUrl.href;
  }

  async finish(request: Request, response: Response): Promise<ConnectOutcome> {
    const pending = this.takePending(request, response);
    const query = new URL(request.originalUrl, 'http://callback').searchParams;
    if (!pending) return { ok: false, serviceId: null, error: 'no connection was started in this browser (or it expired): start again' };
    const { serviceId } = pending;
    if (!sameText(query.get('state') ?? '', pending.state)) return { ok: false, serviceId, error: 'the state does not match: start again' };
    if (query.has('error')) return { ok: false, serviceId, error: `the authorization server answered ${query.get('error')}` };
    const code = query.get('code');
    if (!code) return { ok: false, serviceId, error: 'the authorization server sent no code' };
    try {
      const service = await this.connections.oauthService(serviceId);
      const server = await this.connections.authServer(service);
      const client = await this.connections.clientFor(service, server, pending.redirectUri);
      const tokens = await exchangeCode(server, client, code, pending.codeVerifier, pending.redirectUri);
      await this.connections.save(service.id, pending.principalKey, tokens);
      this.logger.log(`Upstream OAuth connection of "${service.name}" made for ${pending.principalKey}`);
      if (pending.elicitation) this.elicitations.complete(service.id, pending.elicitation.sessionId, pending.elicitation.id);
      return { ok: true, serviceId };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Upstream OAuth connection of service ${serviceId} failed: ${why}`);
      return { ok: false, serviceId, error: why.slice(0, 300) };
    }
  }

  private takePending(request: Request, response: Response): Pending | null {
    response.clearCookie(PENDING_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.client.protocol(request) === 'https',
      path: CALLBACK_PATH,
    });
    const raw = cookieValue(request.headers.cookie, PENDING_COOKIE);
    if (!raw) return null;
    try {
      const pending = this.box.decryptJson<Pending>(raw);
      return pending.expiresAt > Date.now() ? pending : null;
    } catch {
      return null;
    }
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
