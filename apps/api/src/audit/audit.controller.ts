import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuditEventView, AuditExportQueryDto, AuditPageView, AuditQueryDto } from '@mcp-proxy/shared/dto';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { RequiresRole } from '../core/auth/roles.decorator';
import { auditCsv } from './audit-csv';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiSecurity('api-key')
// Who did what from where is itself sensitive: admins only.
@RequiresRole('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit events, newest first, filtered and paged' })
  page(@Query() query: AuditQueryDto, @Req() request: RequestWithPrincipal): Promise<AuditPageView> {
    return this.audit.page(query, request.principal);
  }

  @Get('export')
  @ApiProduces('text/csv', 'application/json')
  @ApiOperation({ summary: 'Every audit event matching the filters, oldest first, as a CSV or JSON download' })
  async export(
    @Query() query: AuditExportQueryDto,
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string | AuditEventView[]> {
    const events = await this.audit.all(query, request.principal);
    const format = query.format ?? 'csv';
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
    response.setHeader('Content-Disposition', `attachment; filename="audit-${stamp}.${format}"`);
    if (format === 'json') return events;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    return auditCsv(events);
  }
}
