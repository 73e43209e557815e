import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { LoginDto, LoginView, PrincipalView } from '@mcp-proxy/shared/dto';
import { AUTH_EVENTS, AuthLogin } from './auth-events';
import { rejectIfBlocked } from './auth.guard';
import { AuthService } from './auth.service';
import { ClientOrigin } from '../http/client-origin.service';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RequestWithPrincipal } from './principal';
import { Public } from './public.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    private readonly events: EventEmitter2,
    private readonly client: ClientOrigin,
  ) {}

  @Public()
  @SkipThrottle()
  @Post('login')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Exchange the admin API key, or a user name and password, for a UI session token' })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginView> {
    const address = this.client.address(request);
    rejectIfBlocked(this.failures, address, response);
    const byKey = body.apiKey !== undefined;
    const session = byKey ? this.auth.login(body.apiKey ?? '') : await this.auth.loginWithPassword(body.username ?? '', body.password ?? '');
    const attempt: AuthLogin = {
      ok: session !== null,
      method: byKey ? 'apiKey' : 'password',
      address,
      // The name tried is kept even when wrong: repeated guesses at one account should show.
      actor: byKey ? (session ? 'admin' : null) : (body.username ?? null),
      actorKind: byKey ? (session ? 'admin' : 'anonymous') : 'user',
    };
    this.events.emit(AUTH_EVENTS.login, attempt);
    if (!session) {
      this.failures.recordFailure(address);
      throw new UnauthorizedException(byKey ? 'Invalid API key' : 'Invalid user name or password');
    }
    return session;
  }

  @Get('me')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Who the credential belongs to, its role and the services it is limited to' })
  me(@Req() request: Request & RequestWithPrincipal): PrincipalView {
    const principal = request.principal;
    if (!principal) throw new UnauthorizedException();
    return { kind: principal.kind, name: principal.label ?? principal.id, role: principal.role, services: principal.scope?.services ?? null };
  }
}
