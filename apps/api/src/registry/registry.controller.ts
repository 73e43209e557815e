import { Body, Controller, ForbiddenException, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  InstallFromRegistryDto,
  RegistryEntryParamsDto,
  RegistryInstallView,
  RegistryServerPageView,
  RegistryServersQueryDto,
  RegistryServerView,
  RegistryStatusView,
  UpdateFromRegistryDto,
} from '@mcp-proxy/shared/dto';
import { Audited } from '../audit/audited.decorator';
import { RequestWithPrincipal, roleAllows } from '../core/auth/principal';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { RegistryCatalog } from './registry-catalog.service';
import { InstallResult, RegistryInstalls } from './registry-installs.service';

/**
 * The MCP Registry catalog (`/api/registry`): browsing is a read for every role; installing creates a
 * service (admins without service limits); updating and rolling back an installed service run other
 * versions of the same entry, like redeploying the same repository (operators, within their limits).
 */
@ApiTags('registry')
@ApiSecurity('api-key')
@Controller('registry')
export class RegistryController {
  constructor(
    private readonly catalog: RegistryCatalog,
    private readonly installs: RegistryInstalls,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether a registry is configured (REGISTRY_URL), which, and whether the caller may install' })
  status(@Req() request: RequestWithPrincipal): RegistryStatusView {
    return this.catalog.status(request.principal);
  }

  @Get('servers')
  @ApiOperation({ summary: "One page of the registry's entries (latest versions), searched by name; cursor paging as the registry pages" })
  servers(@Query() query: RegistryServersQueryDto, @Req() request: RequestWithPrincipal): Promise<RegistryServerPageView> {
    return this.catalog.page(query, request.principal);
  }

  @Get('servers/:name/versions/:version')
  @ApiOperation({
    summary: 'One version of an entry (`latest` for the newest; the name URL-encoded) with its install options and their fields',
  })
  entry(@Param() params: RegistryEntryParamsDto, @Req() request: RequestWithPrincipal): Promise<RegistryServerView> {
    return this.catalog.entry(params.name, params.version, request.principal);
  }

  @Post('install')
  @Audited('registry.install')
  @ApiOperation({ summary: "Create a service from an entry's package or remote, pinned to its version (not started unless start: true)" })
  install(@Body() body: InstallFromRegistryDto, @Req() request: RequestWithPrincipal): Promise<InstallResult> {
    // The global guard has set it: every route here needs a credential.
    if (!request.principal) throw new ForbiddenException('No authenticated principal');
    return this.installs.install(body, request.principal);
  }

  @Get('installs')
  @ApiOperation({
    summary: 'Services installed from the registry, with the version they run, the one before and whether a newer one exists',
  })
  installed(@Req() request: RequestWithPrincipal): Promise<RegistryInstallView[]> {
    return this.installs.list(request.principal);
  }

  @Post('installs/:id/update')
  @HttpCode(HttpStatus.OK)
  @RequiresRole('operator')
  @ServiceParam('id')
  @Audited('registry.update')
  @ApiOperation({ summary: 'Run another version (default: the latest) of the entry; the one it ran is kept for rollback' })
  update(@Param('id') id: string, @Body() body: UpdateFromRegistryDto, @Req() request: RequestWithPrincipal): Promise<InstallResult> {
    // New values may change the service's variables and headers, which only admins may set.
    if (body.values && !(request.principal && roleAllows(request.principal.role, 'admin'))) {
      throw new ForbiddenException('Entering values changes the service’s variables: this needs the admin role (update without values)');
    }
    return this.installs.update(id, body);
  }

  @Post('installs/:id/rollback')
  @HttpCode(HttpStatus.OK)
  @RequiresRole('operator')
  @ServiceParam('id')
  @Audited('registry.rollback')
  @ApiOperation({ summary: 'Back to the version run before the last update (409 when there is none)' })
  rollback(@Param('id') id: string): Promise<InstallResult> {
    return this.installs.rollback(id);
  }
}
