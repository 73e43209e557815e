import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CallLogPageView, CallLogQueryDto } from '@mcp-proxy/shared/dto';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { callLogCsv } from './call-log-csv';
import { CallsService } from './calls.service';

/** The call history: read by every role (a limited one sees its services' calls only); client tokens never reach it. */
@ApiTags('calls')
@ApiSecurity('api-key')
@Controller('calls')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Recorded MCP calls, newest first, filtered and paged by cursor; format=csv gives the same page as a CSV download',
  })
  async page(
    @Query() query: CallLogQueryDto,
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CallLogPageView | string> {
    const page = await this.calls.page(query, request.principal);
    if (query.format !== 'csv') return page;
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="calls-${stamp}.csv"`);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    return callLogCsv(page.items);
  }
}
