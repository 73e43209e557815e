import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CallLogDetailView, CallLogPageView, CallLogQueryDto, CallStatsQueryDto, CallStatsView } from '@mcp-proxy/shared/dto';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { callLogCsv } from './call-log-csv';
import { CallStatsService } from './call-stats.service';
import { CallsService } from './calls.service';

/** The call history: read by every role (a limited one sees its services' calls only); client tokens never reach it. */
@ApiTags('calls')
@ApiSecurity('api-key')
@Controller('calls')
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly figures: CallStatsService,
  ) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Recorded MCP calls, newest first, filtered and paged by cursor; format=csv or format=json gives the same page as a download',
  })
  async page(
    @Query() query: CallLogQueryDto,
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CallLogPageView | string> {
    const page = await this.calls.page(query, request.principal);
    if (!query.format) return page;
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
    response.setHeader('Content-Disposition', `attachment; filename="calls-${stamp}.${query.format}"`);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    if (query.format === 'json') return page;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    return callLogCsv(page.items);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Per-tool figures over the last hour, day or month: calls, error rate, p50/p95 latency, top clients' })
  stats(@Query() query: CallStatsQueryDto, @Req() request: RequestWithPrincipal): Promise<CallStatsView> {
    return this.figures.stats(query, request.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One recorded call with its stored (redacted) arguments and result, when its service keeps them' })
  detail(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<CallLogDetailView> {
    return this.calls.detail(id, request.principal);
  }
}
