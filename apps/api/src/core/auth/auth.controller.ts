import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { LoginDto, LoginView } from '@mcp-proxy/shared/dto';
import { AUTH_EVENTS, AuthLogin } from './auth-events';
import { rejectIfBlocked } from './auth.guard';
import { AuthService } from './auth.service';
import { clientAddress } from './credentials';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { Public } from './public.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    private readonly events: EventEmitter2,
  ) {}

  @Public()
  @SkipThrottle()
  @Post('login')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Exchange the admin API key for a UI session token' })
  login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): LoginView {
    const address = clientAddress(request);
    rejectIfBlocked(this.failures, address, response);
    const session = this.auth.login(body.apiKey);
    const attempt: AuthLogin = { ok: session !== null, method: 'apiKey', address, actor: session ? 'admin' : null, actorKind: session ? 'admin' : 'anonymous' };
    this.events.emit(AUTH_EVENTS.login, attempt);
    if (!session) {
      this.failures.recordFailure(address);
      throw new UnauthorizedException('Invalid API key');
    }
    return session;
  }
}
