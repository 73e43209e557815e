import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ClientTokenView, CreateClientTokenDto, CreatedClientTokenView, UpdateClientTokenDto } from '@mcp-proxy/shared/dto';
import { Audited } from '../audit/audited.decorator';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { adminActor } from './admin-actor';
import { ClientTokensService } from './client-tokens.service';

@ApiTags('client-tokens')
@ApiSecurity('api-key')
@Controller('client-tokens')
export class ClientTokensController {
  constructor(private readonly tokens: ClientTokensService) {}

  @Get()
  list(@Req() request: RequestWithPrincipal): Promise<ClientTokenView[]> {
    adminActor(request);
    return this.tokens.list();
  }

  @Post()
  @Audited('client-token.create')
  @ApiOperation({ summary: 'Mint a client token for the MCP endpoints; the token is in this answer only' })
  create(@Body() body: CreateClientTokenDto, @Req() request: RequestWithPrincipal): Promise<CreatedClientTokenView> {
    return this.tokens.create(body, adminActor(request));
  }

  @Patch(':id')
  @Audited('client-token.relabel')
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateClientTokenDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ClientTokenView> {
    adminActor(request);
    return this.tokens.update(id, body);
  }

  @Post(':id/revoke')
  @Audited('client-token.revoke')
  @ApiOperation({ summary: 'Revoke a client token; its next request is refused' })
  revoke(@Param('id', ParseUUIDPipe) id: string, @Req() request: RequestWithPrincipal): Promise<ClientTokenView> {
    adminActor(request);
    return this.tokens.revoke(id);
  }
}
