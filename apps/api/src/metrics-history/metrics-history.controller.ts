import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MetricsHistoryQueryDto, MetricsHistoryView } from '@mcp-proxy/shared/dto';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { MetricsHistoryService } from './metrics-history.service';

/** The metrics history for the portal's charts: every role reads it (a limited one its services' only). */
@ApiTags('observability')
@ApiSecurity('api-key')
@Controller('metrics/history')
export class MetricsHistoryController {
  constructor(private readonly history: MetricsHistoryService) {}

  @Get()
  @ApiOperation({
    summary:
      'Per-service calls, errors, latency p50/p95/p99, CPU and memory over the last hour (1-minute steps), day (5-minute steps) or month (1-hour steps), every instance merged',
  })
  read(@Query() query: MetricsHistoryQueryDto, @Req() request: RequestWithPrincipal): Promise<MetricsHistoryView> {
    return this.history.history(query, request.principal);
  }
}
