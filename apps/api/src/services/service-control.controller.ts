import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LOG_TAIL_DEFAULT, ServiceLogsQueryDto, ServiceLogsView, ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { ProcessSupervisor } from '../supervisor/process-supervisor';

/** Running services: start, stop, restart, and what they print and use. */
@ApiTags('services')
@ApiSecurity('api-key')
@ServiceParam('id')
@Controller('services')
export class ServiceControlController {
  constructor(private readonly supervisor: ProcessSupervisor) {}

  @Post(':id/start')
  @RequiresRole('operator')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start the service (and keep it running across restarts of the proxy)' })
  start(@Param('id') id: string): Promise<ServiceView> {
    return this.supervisor.start(id);
  }

  @Post(':id/stop')
  @RequiresRole('operator')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Stop the service and everything it started' })
  stop(@Param('id') id: string): Promise<ServiceView> {
    return this.supervisor.stop(id);
  }

  @Post(':id/restart')
  @RequiresRole('operator')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Stop and start again; the restart counter starts afresh' })
  restart(@Param('id') id: string): Promise<ServiceView> {
    return this.supervisor.restart(id);
  }

  @Get(':id/logs')
  @ApiOperation({ summary: 'The newest log lines (stderr, and stdout of http services), secrets masked' })
  logs(@Param('id') id: string, @Query() query: ServiceLogsQueryDto): Promise<ServiceLogsView> {
    return this.supervisor.logsOf(id, query.tail ?? LOG_TAIL_DEFAULT);
  }

  @Get(':id/metrics')
  @ApiOperation({ summary: 'Memory, CPU, restarts and uptime of the service processes' })
  metrics(@Param('id') id: string): Promise<ServiceMetricsView> {
    return this.supervisor.metricsOf(id);
  }
}
