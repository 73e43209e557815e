import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { HealthView, ReadinessView } from '@mcp-proxy/shared/dto';
import type { Response } from 'express';
import { Public } from '../core/auth/public.decorator';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { Readiness } from '../core/http/readiness';
import { HealthService } from './health.service';

@ApiTags('observability')
@Controller('health')
export class HealthController {
  constructor(
    private readonly gateway: HealthService,
    private readonly readiness: Readiness,
  ) {}

  /** Always 200 while the API serves: `degraded` is news for the operator, not a reason to take the instance out. */
  @Public({ identifyCaller: true })
  @SkipThrottle()
  @Get()
  @ApiOperation({
    summary:
      "Liveness: ok or degraded with counts per kind, the service count and how MCP servers are kept from the proxy's secrets. No auth; with a valid credential also the problems by name and reason (limited users: their services only)",
  })
  health(@Req() request: RequestWithPrincipal): Promise<HealthView> {
    return this.gateway.view(request.principal);
  }

  @Public()
  @SkipThrottle()
  @Get('ready')
  @ApiOperation({ summary: 'For load balancers: 200 when this instance takes traffic, 503 while it starts or drains for a graceful stop' })
  ready(@Res({ passthrough: true }) response: Response): ReadinessView {
    const state = this.readiness.state;
    response.status(state === 'ready' ? 200 : 503);
    return { ready: state === 'ready', state };
  }
}
