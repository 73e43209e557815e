import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ServerTemplateView } from '@mcp-proxy/shared/dto';
import { TemplatesService } from './templates.service';

/** The ready templates (reference servers with their variables); the same data the portal's gallery fills in. */
@ApiTags('templates')
@ApiSecurity('api-key')
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({ summary: 'Ready server templates: package, command, arguments, the variables each needs, and whether this host runs it' })
  list(): Promise<ServerTemplateView[]> {
    return this.templates.list();
  }
}
