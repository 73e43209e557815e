import {
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { LoginView, SignInOptionsView } from '@mcp-proxy/shared/dto';
import type { Request, Response } from 'express';
import { SessionCookie } from '../core/auth/session-cookie';
import { Principal, RequestWithPrincipal } from '../core/auth/principal';
import { Public } from '../core/auth/public.decorator';
import { AppConfig } from '../core/config/app-config';
import { OidcClient } from './oidc-client';
import { PendingSignIn, ProviderSignInService, SignInOutcome } from './provider-sign-in.service';
import { SignInCookies } from './sign-in-cookies';

/**
 * Sign-in through the team's OpenID provider (README: Identity). The portal's button opens `start`;
 * the provider sends the browser to `callback`, which opens a session and sends it to the login page;
 * the page picks the session up once from `session`. The pending checks and the result travel in
 * sealed cookies (sign-in-cookies.ts).
 */
@ApiTags('auth')
@Controller('auth')
export class IdentityController {
  constructor(
    private readonly signIn: ProviderSignInService,
    private readonly oidc: OidcClient,
    private readonly cookies: SignInCookies,
    private readonly config: AppConfig,
    private readonly sessionCookie: SessionCookie,
  ) {}

  @Public()
  @Get('sign-in-options')
  @ApiOperation({ summary: 'How one may sign in: passwords (off with OIDC_ONLY) and the identity provider, if any' })
  options(): SignInOptionsView {
    return {
      password: !this.config.get('OIDC_ONLY'),
      provider: this.oidc.enabled ? { name: this.oidc.providerName, startUrl: '/api/auth/oidc/start' } : null,
    };
  }

  @Public({ identifyCaller: true })
  @Get('oidc/start')
  @ApiOperation({
    summary:
      'Leave for the identity provider (a browser navigation); returnUrl: a portal path to open afterwards; link=1: a signed-in user links their provider account instead',
  })
  async start(
    @Req() request: Request & RequestWithPrincipal,
    @Res() response: Response,
    @Query('returnUrl') returnUrl?: string,
    @Query('link') link?: string,
  ): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException('No identity provider is configured (OIDC_ISSUER)');
    const linkUserId = link === '1' ? linkingUser(request.principal) : undefined;
    const redirectUri = this.signIn.redirectUri(request);
    if (!redirectUri) throw new ServiceUnavailableException('Set PUBLIC_URL: the redirect URI cannot be told from this request’s host');
    let started: { location: string; pending: PendingSignIn };
    try {
      started = await this.signIn.start(redirectUri, typeof returnUrl === 'string' ? returnUrl : null, linkUserId);
    } catch (error) {
      throw new ServiceUnavailableException(
        `The identity provider cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.cookies.setPending(response, request, started.pending);
    response.redirect(HttpStatus.FOUND, started.location);
  }

  @Public()
  @SkipThrottle()
  @Get('oidc/callback')
  @ApiOperation({ summary: 'Where the identity provider sends the browser back (the redirect URI to register)' })
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException('No identity provider is configured (OIDC_ISSUER)');
    const outcome = await this.signIn.finish(request, this.cookies.takePending<PendingSignIn>(request, response));
    if (outcome.link) return response.redirect(HttpStatus.SEE_OTHER, linkLanding(outcome));
    const query = new URLSearchParams(outcome.ok ? { oidc: 'done' } : { oidcError: outcome.reason });
    if (outcome.returnUrl) query.set('returnUrl', outcome.returnUrl);
    if (outcome.ok) this.cookies.setResult(response, request, outcome.session);
    // A path of ours only: the callback never sends the browser to another origin.
    response.redirect(HttpStatus.SEE_OTHER, `/login?${query.toString()}`);
  }

  @Public()
  @SkipThrottle()
  @Post('oidc/session')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'The session the last sign-in through the provider opened in this browser, handed over once' })
  session(@Req() request: Request, @Res({ passthrough: true }) response: Response): LoginView {
    const session = this.cookies.takeResult<LoginView>(request, response);
    if (!session)
      throw new UnauthorizedException('No sign-in through the identity provider to pick up (it is handed over once, within a minute)');
    this.sessionCookie.set(response, request, session.token, session.expiresAt);
    return session;
  }
}

/** Only a named user links a provider account to themselves (the API key holder has no user to link). */
function linkingUser(principal: Principal | undefined): string {
  if (!principal) throw new UnauthorizedException('Sign in first: linking adds a way in to the account you are signed in to');
  if (principal.kind !== 'user') throw new ForbiddenException('Only a named user can link an identity provider account');
  return principal.id.slice('user:'.length);
}

/** Back to the page that asked (the Account page by default), saying how the linking went. */
function linkLanding(outcome: SignInOutcome): string {
  const landing = new URL(outcome.returnUrl ?? '/account', 'http://portal');
  if (outcome.ok) landing.searchParams.set('oidcLinked', 'done');
  else landing.searchParams.set('oidcLinkError', outcome.reason);
  return `${landing.pathname}${landing.search}`;
}
