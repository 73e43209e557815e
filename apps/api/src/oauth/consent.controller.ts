import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApproveConsentDto, ConsentDecisionView, ConsentRequestView, OAuthGrantView } from '@mcp-proxy/shared/dto';
import { actorName, adminActor } from '../client-tokens/admin-actor';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { AuthorizationsService } from './authorizations.service';
import { OAuthError } from './oauth-error';
import { OAuthTokensService } from './oauth-tokens.service';

/** What the admin portal's consent screen and grant list call. */
@ApiTags('oauth')
@ApiSecurity('api-key')
@Controller('oauth')
export class ConsentController {
  constructor(
    private readonly authorizations: AuthorizationsService,
    private readonly tokens: OAuthTokensService,
  ) {}

  @Get('authorizations/:id')
  @ApiOperation({ summary: 'A pending authorization request, for the consent screen' })
  view(@Param('id', ParseUUIDPipe) id: string, @Req() request: RequestWithPrincipal): Promise<ConsentRequestView> {
    adminActor(request);
    return this.authorizations.view(id);
  }

  @Post('authorizations/:id/approve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Approve a client for a service (optionally only some tools); answers where to send the browser' })
  approve(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ApproveConsentDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ConsentDecisionView> {
    return asHttp(this.authorizations.approve(id, body.tools, adminActor(request)));
  }

  @Post('authorizations/:id/deny')
  @HttpCode(HttpStatus.OK)
  deny(@Param('id', ParseUUIDPipe) id: string, @Req() request: RequestWithPrincipal): Promise<ConsentDecisionView> {
    return asHttp(this.authorizations.deny(id, adminActor(request)));
  }

  @Get('grants')
  grants(@Req() request: RequestWithPrincipal): Promise<OAuthGrantView[]> {
    adminActor(request);
    return this.tokens.listGrants();
  }

  @Post('grants/:id/revoke')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Revoke a grant: its access and refresh tokens stop working at once' })
  revoke(@Param('id', ParseUUIDPipe) id: string, @Req() request: RequestWithPrincipal): Promise<OAuthGrantView> {
    return this.tokens.revokeGrantById(id, actorName(adminActor(request)));
  }
}

async function asHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof OAuthError) throw new HttpException(error.description, error.status);
    throw error;
  }
}
