import { BadRequestException, Body, Controller, Get, Header, HttpCode, HttpStatus, ParseBoolPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequestWithPrincipal } from '../core/auth/principal';
import { ApplyResult, ConfigSyncService } from './config-sync.service';

@ApiTags('configuration')
@ApiSecurity('api-key')
@Controller('config')
export class ConfigController {
  constructor(private readonly sync: ConfigSyncService) {}

  @Get('export')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @ApiOperation({ summary: 'Services and groups as YAML; secrets appear only as ${env:NAME} references. A limited user gets their services only' })
  export(@Req() request: RequestWithPrincipal): Promise<string> {
    return this.sync.export(request.principal);
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
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException(['the body must be YAML text or {"yaml": "…"}']);
  const problems = Object.keys(body)
    .filter((key) => key !== 'yaml')
    .map((key) => `${key}: property ${key} should not exist`);
  const yaml = (body as { yaml?: unknown }).yaml ?? '';
  if (typeof yaml !== 'string') problems.push('yaml must be a string');
  if (problems.length > 0) throw new BadRequestException(problems);
  return String(yaml);
}
