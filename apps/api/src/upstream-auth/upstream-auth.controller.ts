import {
  BadRequestException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import type { Request, Response } from 'express';
import { Principal, RequestWithPrincipal } from '../core/auth/principal';
import { Public } from '../core/auth/public.decorator';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { UpstreamConnectFlow } from './upstream-connect-flow';
import { UpstreamConnections } from './upstream-connections.service';
import { UpstreamElicitations } from './upstream-elicitations';

const STALE_LINK = 'This link is unknown, expired or used already: call the tool again for a new one';

/** Who may act on which connection: anyone signed in on their own; `shared` (and another principal's) is the admin's. */
const PRINCIPAL_FOR = /^(user|client-token|oauth):[0-9a-f-]{36}$|^admin$/;

/**
 * Upstream OAuth (README: Identity): the caller connects their account at a remote service's
 * authorization server, sees the connection's state, and removes it. Tokens never leave the server.
 */
@ApiTags('upstream-oauth')
@ApiSecurity('api-key')
@Controller()
export class UpstreamAuthController {
  constructor(
    private readonly connections: UpstreamConnections,
    private readonly flow: UpstreamConnectFlow,
    private readonly elicitations: UpstreamElicitations,
  ) {}

  @Get('services/:id/oauth')
  @ServiceParam()
  @RequiresRole('viewer')
  @ApiOperation({
    summary: 'The caller\'s connection to an oauth remote service (the shared one for connection "shared"): connected as, expiry',
  })
  async status(
    @Param('id') id: string,
    @Req() request: RequestWithPrincipal,
    @Query('principal') forPrincipal?: string,
  ): Promise<UpstreamConnectionView> {
    const service = await this.connections.oauthService(id);
    return this.connections.status(service, await this.keyOf(service, request.principal, forPrincipal, false));
  }

  @Get('services/:id/oauth/connect')
  @ServiceParam()
  @RequiresRole('viewer')
  @ApiOperation({
    summary:
      'Start connecting: 302 to the upstream authorization server (JSON { authorizationUrl } with Accept: application/json); admins may pass principal=client-token:<id>',
  })
  async connect(
    @Param('id') id: string,
    @Req() request: Request & RequestWithPrincipal,
    @Res() response: Response,
    @Query('principal') forPrincipal?: string,
  ): Promise<void> {
    const service = await this.connections.oauthService(id);
    const key = await this.keyOf(service, request.principal, forPrincipal, true);
    const redirectUri = this.flow.redirectUri(request);
    if (!redirectUri) throw new ServiceUnavailableException('Set PUBLIC_URL: the redirect URI cannot be told from this request’s host');
    let location: string;
    try {
      location = await this.flow.start(service, key, redirectUri, request, response);
    } catch (error) {
      throw new ServiceUnavailableException(`Cannot start the OAuth connection of "${service.name}": ${(error as Error).message}`);
    }
    if ((request.get('accept') ?? '').includes('application/json')) response.json({ authorizationUrl: location });
    else response.redirect(HttpStatus.FOUND, location);
  }

  @Public()
  @Get('upstream-oauth/client-metadata.json')
  @ApiOperation({
    summary:
      "The proxy's OAuth Client ID Metadata Document: its client_id (this URL) at upstream authorization servers that support them; 404 unless PUBLIC_URL is https",
  })
  clientMetadata(@Res() response: Response): void {
    const document = this.connections.clientDocument();
    if (!document) throw new NotFoundException('No client metadata document: PUBLIC_URL is not an https URL');
    // Public by design (it names the client, holds no secret); servers cache it for its max-age.
    response.setHeader('cache-control', 'public, max-age=3600');
    response.json(document.metadata);
  }

  @Public()
  @Get('upstream-oauth/callback')
  @ApiOperation({
    summary: "The upstream authorization server's redirect back (a browser navigation): stores the tokens, then opens the service page",
  })
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const outcome = await this.flow.finish(request, response);
    const page = outcome.serviceId ? `/services/${outcome.serviceId}` : '/services';
    const query = outcome.ok ? 'upstreamOAuth=connected' : `upstreamOAuthError=${encodeURIComponent(outcome.error)}`;
    response.redirect(HttpStatus.SEE_OTHER, `${page}?${query}`);
  }

  @Public({ identifyCaller: true })
  @Get('upstream-oauth/elicitations/:elicitationId')
  @ApiOperation({
    summary:
      'The link of a URL elicitation (a browser navigation): for the signed-in principal it was made for, once, starts connecting (302); anonymous: 303 to the sign-in; unknown, expired or used: 404',
  })
  async elicitation(
    @Param('elicitationId') elicitationId: string,
    @Req() request: Request & RequestWithPrincipal,
    @Res() response: Response,
  ): Promise<void> {
    const found = /^[A-Za-z0-9_-]{32}$/.test(elicitationId) ? await this.elicitations.find(elicitationId) : null;
    if (!found) throw new NotFoundException(STALE_LINK);
    // The spec's phishing rule: only the principal the call came from may connect through it, signed in here.
    if (!request.principal)
      return response.redirect(HttpStatus.SEE_OTHER, `/login?returnUrl=${encodeURIComponent(`/services/${found.serviceId}`)}`);
    const service = await this.connections.oauthService(found.serviceId);
    if ((await this.connections.keyFor(service, request.principal.id)) !== found.principalKey)
      throw new ForbiddenException('This link was made for another account: sign in as the one whose call asked for it');
    const redirectUri = this.flow.redirectUri(request);
    if (!redirectUri) throw new ServiceUnavailableException('Set PUBLIC_URL: the redirect URI cannot be told from this request’s host');
    if (!(await this.elicitations.take(elicitationId))) throw new NotFoundException(STALE_LINK);
    let location: string;
    try {
      location = await this.flow.start(service, found.principalKey, redirectUri, request, response, {
        id: elicitationId,
        sessionId: found.sessionId,
      });
    } catch (error) {
      throw new ServiceUnavailableException(`Cannot start the OAuth connection of "${service.name}": ${(error as Error).message}`);
    }
    response.redirect(HttpStatus.FOUND, location);
  }

  @Delete('services/:id/oauth')
  @ServiceParam()
  @RequiresRole('viewer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Disconnect: the stored upstream tokens are deleted, then revoked at the provider when it offers revocation (shared: admins only)',
  })
  async disconnect(
    @Param('id') id: string,
    @Req() request: RequestWithPrincipal,
    @Query('principal') forPrincipal?: string,
  ): Promise<void> {
    const service = await this.connections.oauthService(id);
    await this.connections.disconnect(service, await this.keyOf(service, request.principal, forPrincipal, true));
  }

  /** The connection a request acts on: the caller's own, `shared` (changing it: admins), or, for admins, a named principal's. */
  private async keyOf(
    service: Awaited<ReturnType<UpstreamConnections['oauthService']>>,
    principal: Principal | undefined,
    forPrincipal: string | undefined,
    changes: boolean,
  ): Promise<string> {
    if (!principal) throw new ForbiddenException('Sign in first');
    const isAdmin = principal.role === 'admin';
    if (forPrincipal !== undefined) {
      if (!isAdmin) throw new ForbiddenException("Only an admin acts on another principal's connection");
      if (!PRINCIPAL_FOR.test(forPrincipal))
        throw new BadRequestException('principal must be admin, user:<id>, client-token:<id> or oauth:<grant id>');
      if (service.settings.oauth?.connection === 'shared')
        throw new BadRequestException('principal: this service has one shared connection');
      // A token or grant with an owner has no connection of its own: the admin acts on the owner's.
      return this.connections.keyFor(service, forPrincipal);
    }
    const key = await this.connections.keyFor(service, principal.id);
    if (key === 'shared' && changes && !isAdmin)
      throw new ForbiddenException('Only an admin connects or disconnects the shared connection');
    return key;
  }
}
