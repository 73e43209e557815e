import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SERVER_TEMPLATES, ServerTemplate } from '@mcp-proxy/shared/dto';

/** The ready templates (reference servers with their variables); the same data the portal's gallery fills in. */
@ApiTags('templates')
@ApiSecurity('api-key')
@Controller('templates')
export class TemplatesController {
  @Get()
  @ApiOperation({ summary: 'Ready server templates: package, command, arguments and the variables each needs' })
  list(): readonly ServerTemplate[] {
    return SERVER_TEMPLATES;
  }
}
