import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CreateServiceDto, ServiceView, UpdateServiceDto } from '@mcp-proxy/shared/dto';
import { ServicesService } from './services.service';

@ApiTags('services')
@ApiSecurity('api-key')
@Controller('services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Get()
  @ApiOperation({ summary: 'List services with their state; environment values are masked' })
  list(): Promise<ServiceView[]> {
    return this.services.list();
  }

  @Post()
  @ApiOperation({ summary: 'Register a service (not started unless "start": true)' })
  create(@Body() body: CreateServiceDto): Promise<ServiceView> {
    return this.services.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One service, by id or name' })
  get(@Param('id') id: string): Promise<ServiceView> {
    return this.services.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateServiceDto): Promise<ServiceView> {
    return this.services.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.services.remove(id);
  }
}
