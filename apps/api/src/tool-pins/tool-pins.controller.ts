import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ServiceToolPinsView, ToolChangesQueryDto, ToolChangeView } from '@mcp-proxy/shared/dto';
import type { Principal, RequestWithPrincipal } from '../core/auth/principal';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { ToolChangesService } from './tool-changes.service';

/**
 * Tool pinning on the management API: what is pinned for a service, the changes its server made since, and the
 * admin's decision on each. Every role reads (limited to its services); only an admin decides.
 */
@ApiTags('tool pinning')
@ApiSecurity('api-key')
@Controller()
export class ToolPinsController {
  constructor(private readonly changes: ToolChangesService) {}

  @Get('services/:id/tool-pins')
  @ServiceParam('id')
  @ApiOperation({ summary: "A service's pinned tools, its drift policy and the changes waiting for a decision" })
  pins(@Param('id') id: string): Promise<ServiceToolPinsView> {
    return this.changes.pinsOf(id);
  }

  @Get('tool-changes')
  @ApiOperation({ summary: 'Changes of tools against their pins, newest first (default: pending ones), each with its diff' })
  list(@Query() query: ToolChangesQueryDto, @Req() request: RequestWithPrincipal): Promise<ToolChangeView[]> {
    return this.changes.list(query, request.principal);
  }

  @Get('tool-changes/:id')
  @ApiOperation({ summary: 'One change of a tool, with the pinned and the listed definition and their diff' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<ToolChangeView> {
    return this.changes.get(id, request.principal);
  }

  @Post('tool-changes/:id/approve')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Pin the listed definition (or unpin a removed tool); under "block" the tool is served again at once' })
  approve(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<ToolChangeView> {
    return this.changes.approve(id, request.principal as Principal);
  }

  @Post('tool-changes/:id/reject')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Keep the pinned definition; under "block" the changed tool stays held back' })
  reject(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<ToolChangeView> {
    return this.changes.reject(id, request.principal as Principal);
  }
}
