import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ClientConfigImportView, ImportClientConfigDto } from '@mcp-proxy/shared/dto';
import { ClientConfigImportService } from './client-config-import.service';

/** Admins only (the default for a write): it creates services, as `POST /api/services` does. */
@ApiTags('services')
@ApiSecurity('api-key')
@Controller('services')
export class ClientConfigImportController {
  constructor(private readonly imports: ClientConfigImportService) {}

  @Post('import-client-config')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Import the mcpServers JSON of Claude Desktop, Cursor or Windsurf, or VS Code servers/inputs: dryRun previews; otherwise every service is created (all or nothing) and started unless start is false',
  })
  import(@Body() body: ImportClientConfigDto): Promise<ClientConfigImportView> {
    return this.imports.import(body);
  }
}
