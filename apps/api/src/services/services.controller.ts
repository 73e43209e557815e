import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CreateServiceDto, ServiceEnvironmentView, ServiceView, UpdateServiceDto } from '@mcp-proxy/shared/dto';
import { Audited } from '../audit/audited.decorator';
import { RequestWithPrincipal, scopeShowsService } from '../core/auth/principal';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ChildSandbox } from '../supervisor/sandbox/child-sandbox';
import { ServicesService } from './services.service';
import { ServiceCommandCheck } from './service-command-check';

@ApiTags('services')
@ApiSecurity('api-key')
@Controller('services')
export class ServicesController {
  constructor(
    private readonly services: ServicesService,
    private readonly supervisor: ProcessSupervisor,
    private readonly sandbox: ChildSandbox,
    private readonly commandCheck: ServiceCommandCheck,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List services with their state; environment values are masked. A user limited to some services sees those only',
  })
  async list(@Req() request: Request & RequestWithPrincipal): Promise<ServiceView[]> {
    return (await this.services.list()).filter((service) => scopeShowsService(request.principal, service));
  }

  @Post()
  @ApiOperation({ summary: 'Register a service (not started unless "start": true)' })
  async create(@Body() body: CreateServiceDto): Promise<ServiceView> {
    await this.commandCheck.onCreate(body);
    const created = await this.services.create(body);
    return body.start ? this.supervisor.start(created.id) : created;
  }

  @Get(':id')
  @ServiceParam('id')
  @ApiOperation({ summary: 'One service, by id or name' })
  get(@Param('id') id: string): Promise<ServiceView> {
    return this.services.get(id);
  }

  /** The one route that shows secret values in clear: admins only, and every call is audited. */
  @Get(':id/environment')
  @RequiresRole('admin')
  @ServiceParam('id')
  @Audited('secret.reveal')
  @ApiOperation({ summary: 'Reveal the environment values in clear (admin only; audited)' })
  async environment(@Param('id') id: string): Promise<ServiceEnvironmentView> {
    return { environment: await this.services.environmentOf(id) };
  }

  @Patch(':id')
  @ServiceParam('id')
  @ApiOperation({ summary: 'Change settings; a running service restarts when its process, environment or remote changed' })
  async update(@Param('id') id: string, @Body() body: UpdateServiceDto): Promise<ServiceView> {
    await this.commandCheck.onUpdate(await this.services.get(id), body);
    const updated = await this.services.update(id, body);
    const restart =
      body.transport !== undefined ||
      body.process !== undefined ||
      body.environment !== undefined ||
      body.repository !== undefined ||
      body.remote !== undefined;
    return this.supervisor.applySettings(updated.id, { restart });
  }

  @Delete(':id')
  @ServiceParam('id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Stop the service and remove it, with its home directory, its clone and every build' })
  async remove(@Param('id') id: string): Promise<void> {
    const { name } = await this.services.get(id);
    await this.supervisor.discard(id);
    await this.services.remove(id);
    // Once its children are gone: a new service of the same name must not inherit a file of this one.
    this.sandbox.removeFilesOf(name);
  }
}
