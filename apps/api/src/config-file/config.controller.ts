import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  ParseBoolPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { RequestWithPrincipal, roleAllows } from '../core/auth/principal';
import { ApplyResult, ConfigSyncService } from './config-sync.service';

@ApiTags('configuration')
@ApiSecurity('api-key')
@Controller('config')
export class ConfigController {
  constructor(
    private readonly sync: ConfigSyncService,
    private readonly audit: AuditService,
  ) {}

  @Get('export')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @ApiOperation({
    summary:
      'Services and groups as YAML; secrets appear only as ${env:NAME} references, or in clear with secrets=true (admins only, audited). A limited user gets their services only',
  })
  @ApiQuery({ name: 'secrets', required: false, type: Boolean })
  async export(
    @Req() request: Request & RequestWithPrincipal,
    @Query('secrets', new ParseBoolPipe({ optional: true })) secrets = false,
  ): Promise<string> {
    const principal = request.principal;
    if (secrets) {
      // The one export that carries sealed values: as GET /api/services/:id/environment, admins only and every call audited.
      const allowed = principal !== undefined && roleAllows(principal.role, 'admin');
      await this.audit.record({
        action: 'config.export.secrets',
        outcome: allowed ? 'ok' : 'refused',
        actor: principal ?? null,
        address: request.ip ?? null,
      });
      if (!allowed) throw new ForbiddenException('secrets=true exports secret values in clear: admins only');
    }
    return this.sync.export(principal, { secrets });
  }

  /** The YAML as the raw body (`Content-Type: application/yaml` or `text/plain`), or `{"yaml": "…"}`. */
  @Post('import')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Apply a configuration file: creates and updates only what differs (dryRun=true to preview)' })
  @ApiBody({
    required: true,
    description: 'The YAML itself (Content-Type: application/yaml), or this JSON object',
    schema: { type: 'object', properties: { yaml: { type: 'string' } }, required: ['yaml'], additionalProperties: false },
  })
  import(@Body() body: unknown, @Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun = false): Promise<ApplyResult> {
    return this.sync.apply(typeof body === 'string' ? body : yamlOf(body), dryRun);
  }
}

/** `{"yaml": "…"}`: the one field, a string; anything beside it is refused rather than ignored. */
function yamlOf(body: unknown): string {
  if (body === undefined) return '';
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestException(['the body must be YAML text or {"yaml": "…"}']);
  const problems = Object.keys(body)
    .filter((key) => key !== 'yaml')
    .map((key) => `${key}: property ${key} should not exist`);
  const yaml = (body as { yaml?: unknown }).yaml ?? '';
  if (typeof yaml !== 'string') problems.push('yaml must be a string');
  if (problems.length > 0) throw new BadRequestException(problems);
  return String(yaml);
}
