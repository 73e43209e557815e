import { Module } from '@nestjs/common';
import { CertsModule } from '../certs/certs.module';
import { DeployModule } from '../github/deploy.module';
import { NetworkModule } from '../network/network.module';
import { ProcessesModule } from '../processes/processes.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [ProcessesModule, CertsModule, NetworkModule, DeployModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
