import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { LoginDto, LoginView, PrincipalView, SessionView } from '@mcp-proxy/shared/dto';
import { AUTH_EVENTS, AuthLogin } from './auth-events';
import { rejectTooMany } from './auth.guard';
import { AuthService } from './auth.service';
import { AppConfig } from '../config/app-config';
import { ClientOrigin } from '../http/client-origin';
import { AuthBucket, FailedAuthLimiter } from './failed-auth-limiter';
import { Principal, RequestWithPrincipal } from './principal';
import { Public } from './public.decorator';
import { RequiresRole } from './roles.decorator';
import { ADMIN_SUBJECT, SessionOrigin, UiSessionsService } from './ui-sessions.service';
import { toSessionView } from './session-view';
import { SessionCookie } from './session-cookie';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    private readonly events: EventEmitter2,
    private readonly sessions: UiSessionsService,
    private readonly client: ClientOrigin,
    private readonly config: AppConfig,
    private readonly cookie: SessionCookie,
  ) {}

  @Public()
  @SkipThrottle()
  @Post('login')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Exchange the admin API key, or a user name and password, for a UI session token' })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginView> {
    const address = this.client.address(request);
    const byKey = body.apiKey !== undefined;
    if (!byKey && this.config.get('OIDC_ONLY')) {
      throw new ForbiddenException('Password sign-in is off (OIDC_ONLY): sign in through the identity provider');
    }
    const origin: SessionOrigin = { address, userAgent: request.get('user-agent') ?? null };
    const session = byKey
      ? await this.loginWithKey(address, body.apiKey ?? '', origin, response)
      : await this.loginWithPassword(address, body.username ?? '', body.password ?? '', origin, response);
    const attempt: AuthLogin = {
      ok: session !== null,
      method: byKey ? 'apiKey' : 'password',
      address,
      // The name tried is kept even when wrong: repeated guesses at one account should show.
      actor: byKey ? (session ? 'admin' : null) : (body.username ?? null),
      actorKind: byKey ? (session ? 'admin' : 'anonymous') : 'user',
    };
    this.events.emit(AUTH_EVENTS.login, attempt);
    if (!session) throw new UnauthorizedException(byKey ? 'Invalid API key' : 'Invalid user name or password');
    this.cookie.set(response, request, session.token, session.expiresAt);
    return session;
  }

  /** The key is counted like a key on any other route: a strong one is always checked. */
  private async loginWithKey(address: string, apiKey: string, origin: SessionOrigin, response: Response): Promise<LoginView | null> {
    const verdict = await this.failures.verify(address, apiKey, (key) => this.auth.login(key, origin));
    if (!verdict.principal && verdict.status === 429) rejectTooMany(verdict.retryAfterMs, response);
    return verdict.principal;
  }

  /**
   * Passwords are guessable by nature: refused up front while the address (or, with a wider budget, the
   * account) has failed too often. The attempt is counted before the slow hash, so guesses sent at once
   * cannot all be evaluated; it is taken back when the password was right or could not be checked.
   */
  private async loginWithPassword(
    address: string,
    username: string,
    password: string,
    origin: SessionOrigin,
    response: Response,
  ): Promise<LoginView | null> {
    const reservation = this.failures.reserve([AuthBucket.passwordLogin(address), AuthBucket.account(username)]);
    if (!reservation.ok) rejectTooMany(reservation.retryAfterMs, response);
    let session: LoginView | null;
    try {
      session = await this.auth.loginWithPassword(username, password, origin);
    } catch (error) {
      reservation.attempt.release();
      if (error instanceof ServiceUnavailableException) response.setHeader('Retry-After', '1');
      throw error;
    }
    if (session) reservation.attempt.release();
    return session;
  }

  @Get('me')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Who the credential belongs to, its role and the services it is limited to' })
  me(@Req() request: Request & RequestWithPrincipal): PrincipalView {
    const principal = request.principal;
    if (!principal) throw new UnauthorizedException();
    return {
      kind: principal.kind,
      name: principal.label ?? principal.id,
      role: principal.role,
      services: principal.scope?.services ?? null,
    };
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequiresRole('viewer')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'End the session of the token (or session cookie) that asks, in every tab; nothing to end for the API key itself',
  })
  async logout(@Req() request: Request & RequestWithPrincipal, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.auth.logout(signedIn(request));
    this.cookie.clear(response, request);
  }

  @Get('sessions')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Your own UI sessions (the API key: its own), with where and when they were used; the current one is marked' })
  async list(@Req() request: Request & RequestWithPrincipal): Promise<SessionView[]> {
    const principal = signedIn(request);
    const rows = await this.sessions.listOf(subjectOf(principal));
    return rows.map((row) => toSessionView(row, principal.label ?? ADMIN_SUBJECT, principal.sessionId));
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequiresRole('viewer')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'End one of your sessions (admins: anyone’s); its token is refused from then on, its open streams close' })
  async end(@Req() request: Request & RequestWithPrincipal, @Param('id') id: string): Promise<void> {
    const principal = signedIn(request);
    const row = await this.sessions.find(id);
    // Someone else's session is "not found" to a non-admin, exactly like an unknown id.
    if (!row || (principal.role !== 'admin' && row.subject !== subjectOf(principal)))
      throw new NotFoundException(`Session ${id} not found`);
    await this.sessions.end(row.id);
  }
}

function signedIn(request: RequestWithPrincipal): Principal {
  if (!request.principal) throw new UnauthorizedException();
  return request.principal;
}

/** Whose sessions a principal owns: the API key and its sessions own the key's, a user their own. */
function subjectOf(principal: Principal): string {
  return principal.kind === 'user' ? principal.id.slice('user:'.length) : ADMIN_SUBJECT;
}
