import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RuntimeSettings } from '../config/runtime-settings.service';
import { MetricsService } from './metrics.service';

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
  render(): Promise<string> {
    if (!this.settings.get('ENABLE_METRICS')) throw new NotFoundException('Metrics are disabled (ENABLE_METRICS=false)');
    return this.metrics.render();
  }
}
