import { Module } from '@nestjs/common';
import { CertsModule } from '../certs/certs.module';
import { DeployPipelineModule } from '../deploy/deploy-pipeline.module';
import { NetworkModule } from '../network/network.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [SupervisorModule, CertsModule, NetworkModule, DeployPipelineModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
