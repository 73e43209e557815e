import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Request, Response } from 'express';
import { AUTH_EVENTS, AuthRefusal } from './auth-events';
import { ClientOrigin } from '../http/client-origin';
import { CredentialRegistry } from './credential-registry';
import { extractCredential } from './credentials';
import { cookieCredential } from './session-cookie';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { isManagementPrincipal, RequestWithPrincipal } from './principal';
import { IDENTIFIES_CALLER, IS_PUBLIC } from './public.decorator';

/** Global: every route needs the API key or a session token (header or the portal's cookie) unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialRegistry,
    private readonly failures: FailedAuthLimiter,
    private readonly events: EventEmitter2,
    private readonly client: ClientOrigin,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    if (isPublic) {
      if (this.reflector.getAllAndOverride<boolean>(IDENTIFIES_CALLER, targets)) await this.identify(request);
      return true;
    }

    const response = context.switchToHttp().getResponse<Response>();
    const address = this.client.address(request);
    const verdict = await this.failures.verify(address, requestCredential(request), (credential) => this.credentials.verify(credential));
    const principal = verdict.principal;
    if (!principal) {
      if (verdict.status === 429) rejectTooMany(verdict.retryAfterMs, response);
      const refusal: AuthRefusal = {
        status: 401,
        method: request.method,
        path: request.path,
        address,
        reason: 'missing or invalid credential',
      };
      this.events.emit(AUTH_EVENTS.refused, refusal);
      response.setHeader('WWW-Authenticate', 'Bearer realm="mcp-proxy"');
      throw new UnauthorizedException('A valid API key (X-API-Key or Authorization: Bearer) is required');
    }
    if (!isManagementPrincipal(principal)) {
      const refusal: AuthRefusal = {
        status: 403,
        method: request.method,
        path: request.path,
        address,
        reason: 'client token on the management API',
        actor: principal,
      };
      this.events.emit(AUTH_EVENTS.refused, refusal);
      throw new ForbiddenException('Client tokens are for the MCP endpoints only');
    }
    request.principal = principal;
    return true;
  }

  /** A public route that answers more to a known caller: a valid management credential sets the principal; anything else stays anonymous. */
  private async identify(request: Request & RequestWithPrincipal): Promise<void> {
    const credential = requestCredential(request);
    if (!credential) return;
    // Through the limiter like every other check, so a public route is no way round the failure count.
    const verdict = await this.failures.verify(this.client.address(request), credential, (presented) => this.credentials.verify(presented));
    if (verdict.principal && isManagementPrincipal(verdict.principal)) request.principal = verdict.principal;
  }
}

/** A header credential wins; else the portal's session cookie (session-cookie.ts says when it counts). */
function requestCredential(request: Request): string | undefined {
  return extractCredential(request.headers) ?? cookieCredential(request);
}

/** 429 with Retry-After for an address that failed too often; used by login as well. */
export function rejectTooMany(waitMs: number, response: Response): never {
  response.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
  throw new HttpException('Too many failed authentication attempts; try again later', HttpStatus.TOO_MANY_REQUESTS);
}
