import { Body, Controller, Get, Header, HttpCode, HttpStatus, ParseBoolPipe, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
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
  import(@Body() body: unknown, @Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun = false): Promise<ApplyResult> {
    const text = typeof body === 'string' ? body : ((body as { yaml?: unknown } | null)?.yaml ?? '');
    return this.sync.apply(String(text), dryRun);
  }
}
