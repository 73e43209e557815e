import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { HealthView } from '@mcp-proxy/shared/dto';
import { Public } from '../core/auth/public.decorator';
import { ProcessSupervisor } from '../processes/process-supervisor.service';
import { ServicesService } from '../processes/services.service';
import { APP_VERSION } from '../version';

@ApiTags('observability')
@Controller('health')
export class HealthController {
  constructor(
    private readonly services: ServicesService,
    private readonly supervisor: ProcessSupervisor,
  ) {}

  @Public()
  @SkipThrottle()
  @Get()
  @ApiOperation({ summary: 'Liveness and a service count; no auth, nothing secret' })
  async health(): Promise<HealthView> {
    const total = await this.services.count();
    return {
      status: 'ok',
      version: APP_VERSION,
      uptime: Math.round(process.uptime()),
      // From the supervisor, which clears a service's running state the instant its process exits.
      services: { running: this.supervisor.runningCount(), total },
    };
  }
}
