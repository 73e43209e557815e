import { Controller, Get, Header, NotFoundException, Req } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RuntimeSettings } from '../config/runtime-settings';
import { RequestWithPrincipal, scopeAllowsService } from '../auth/principal';
import { MetricsService } from './metrics.service';
import { samplesOfServices } from './service-samples';

@ApiTags('observability')
@ApiSecurity('api-key')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly settings: RuntimeSettings,
  ) {}

  @Get()
  @SkipThrottle()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async render(@Req() request: RequestWithPrincipal): Promise<string> {
    if (!this.settings.get('ENABLE_METRICS')) throw new NotFoundException('Metrics are disabled (ENABLE_METRICS=false)');
    const text = await this.metrics.render();
    const principal = request.principal;
    // Samples labelled with a service outside the caller's limits are left out (a group's too: its name is not a service).
    return principal?.scope?.services ? samplesOfServices(text, (service) => scopeAllowsService(principal, service)) : text;
  }
}
