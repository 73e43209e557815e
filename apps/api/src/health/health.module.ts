import { Module } from '@nestjs/common';
import { ProcessesModule } from '../processes/processes.module';
import { HealthController } from './health.controller';

@Module({ imports: [ProcessesModule], controllers: [HealthController] })
export class HealthModule {}
