import { Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DeployAcceptedView, DeploymentSummaryView, DeploymentView } from '@mcp-proxy/shared/dto';
import { Principal, RequestWithPrincipal, scopeShowsService } from '../core/auth/principal';
import { RequiresRole, ServiceParam } from '../core/auth/roles.decorator';
import { ServicesService } from '../services/services.service';
import { DeployService } from './deploy.service';
import { DeploymentsService } from './deployments.service';

@ApiTags('deployments')
@ApiSecurity('api-key')
@Controller()
export class DeploymentsController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly deploys: DeployService,
    private readonly services: ServicesService,
  ) {}

  @Get('deployments/:id')
  @ApiOperation({ summary: 'A deployment: status, commit, timings and the whole build log (secrets masked)' })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<DeploymentView> {
    const deployment = await this.deployments.view(id);
    // A deployment of a service outside the caller's limits (or, for a limited caller, of one since deleted) is answered as absent.
    if (!scopeShowsService(request.principal, { id: deployment.serviceId, name: deployment.serviceName }))
      throw new NotFoundException(`Deployment "${id}" not found`);
    return deployment;
  }

  @Get('services/:id/deployments')
  @ServiceParam('id')
  @ApiOperation({ summary: "A service's deployments, newest first (without logs)" })
  async history(@Param('id') id: string): Promise<DeploymentSummaryView[]> {
    const service = await this.services.get(id);
    return this.deployments.history(service.id);
  }

  /** "Retry deploy": the service's repository and branch again, e.g. after a failed first deploy was fixed. */
  @Post('services/:id/redeploy')
  @RequiresRole('operator')
  @ServiceParam('id')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      "Deploy the service's repository and branch again (a retry after a failed deploy); 409 when it is not deployed from a repository",
  })
  async redeploy(@Param('id') id: string): Promise<DeployAcceptedView> {
    return this.deploys.redeploy(await this.services.entityOf(id), 'api');
  }

  @Post('deployments/:id/approve')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Approve the tool changes of a deployment waiting for it (drift policy "block"): its build is promoted if it still lists exactly those tools',
  })
  approve(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<DeployAcceptedView> {
    return this.deploys.approveTools(id, request.principal as Principal);
  }

  @Post('deployments/:id/reject')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Reject the tool changes of a deployment waiting for it: it fails, its build is removed, the running version stays',
  })
  async reject(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: RequestWithPrincipal): Promise<DeploymentView> {
    await this.deploys.rejectTools(id, request.principal as Principal);
    return this.deployments.view(id);
  }

  @Post('services/:id/rollback')
  @RequiresRole('operator')
  @ServiceParam('id')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Run the build deployed before the current one again (the last 3 builds are kept)' })
  rollback(@Param('id') id: string): Promise<DeployAcceptedView> {
    return this.deploys.rollback(id);
  }
}
