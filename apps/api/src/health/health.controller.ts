import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { HealthView } from '@mcp-proxy/shared/dto';
import { Public } from '../core/auth/public.decorator';
import { ProcessSupervisor } from '../processes/process-supervisor.service';
import { ChildSandbox } from '../processes/sandbox/child-sandbox.service';
import { ServicesService } from '../processes/services.service';
import { APP_VERSION } from '../version';

@ApiTags('observability')
@Controller('health')
export class HealthController {
  constructor(
    private readonly services: ServicesService,
    private readonly supervisor: ProcessSupervisor,
    private readonly sandbox: ChildSandbox,
  ) {}

  @Public()
  @SkipThrottle()
  @Get()
  @ApiOperation({ summary: "Liveness, a service count and how MCP servers are kept from the proxy's secrets; no auth, nothing secret" })
  async health(): Promise<HealthView> {
    const total = await this.services.count();
    return {
      status: 'ok',
      version: APP_VERSION,
      uptime: Math.round(process.uptime()),
      // From the supervisor, which clears a service's running state the instant its process exits.
      services: { running: this.supervisor.runningCount(), total },
      children: this.sandbox.isolation(),
    };
  }
}
