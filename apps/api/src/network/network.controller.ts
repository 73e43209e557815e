import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, HttpStatus, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CheckPortsView, NetworkPortsDto, NetworkStatusView, UpnpChangeView } from '@mcp-proxy/shared/dto';
import { RequestWithPrincipal } from '../core/auth/principal';
import { RequiresRole } from '../core/auth/roles.decorator';
import { NETWORK_SETTINGS, NetworkSettings } from './network-settings';
import { NetworkStatusService } from './network-status.service';
import { PortCheckService } from './reachability/port-check.service';
import { PortMapper } from './upnp/port-mapper';

@ApiTags('network')
@ApiSecurity('api-key')
@Controller('network')
export class NetworkController {
  constructor(
    @Inject(NETWORK_SETTINGS) private readonly settings: NetworkSettings,
    private readonly status: NetworkStatusService,
    private readonly mapper: PortMapper,
    private readonly portCheck: PortCheckService,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Public and private IP, UPnP state and mappings, the ports; answers within 5 s whatever the gateway does' })
  getStatus(): Promise<NetworkStatusView> {
    return this.status.status();
  }

  @Post('check-ports')
  @RequiresRole('operator')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Per port: listening here, mapped by the gateway, reachable from outside (open, closed or unknown)' })
  checkPorts(@Body() body: NetworkPortsDto, @Req() request: RequestWithPrincipal): Promise<CheckPortsView> {
    // A user limited to some services may not probe other ports (an http service's among them): the proxy's own only.
    if (request.principal?.scope?.services && body.ports) this.onlyOurs(body.ports);
    return this.portCheck.check(body.ports);
  }

  @Post('upnp/map')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Map the proxy's ports (default: all three) through UPnP and keep them mapped" })
  async map(@Body() body: NetworkPortsDto): Promise<UpnpChangeView> {
    const results = await this.mapper.map(this.ourPorts(body.ports));
    return { results, upnp: this.mapper.view() };
  }

  @Post('upnp/unmap')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Remove the proxy's UPnP mappings (default: all three); other devices' mappings are left alone" })
  async unmap(@Body() body: NetworkPortsDto): Promise<UpnpChangeView> {
    const results = await this.mapper.unmap(this.ourPorts(body.ports));
    return { results, upnp: this.mapper.view() };
  }

  /** Map and unmap touch only the proxy's own ports, and only with UPnP on. */
  private ourPorts(requested: number[] | undefined): number[] {
    if (!this.settings.upnpEnabled) {
      throw new ConflictException('UPnP is off: set ENABLE_UPNP=true, or forward the ports by hand (GET /api/network/status shows how)');
    }
    return requested ? this.onlyOurs(requested) : this.settings.ports.map(({ port }) => port);
  }

  private onlyOurs(requested: number[]): number[] {
    const ours = this.settings.ports.map(({ port }) => port);
    const foreign = requested.filter((port) => !ours.includes(port));
    if (foreign.length > 0)
      throw new BadRequestException([`ports must be among the proxy's own (${ours.join(', ')}); not ${foreign.join(', ')}`]);
    return requested;
  }
}
