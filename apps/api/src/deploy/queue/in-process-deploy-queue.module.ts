import { Module } from '@nestjs/common';
import { DeployPipelineModule } from '../deploy-pipeline.module';
import { DeployQueue } from './deploy-queue';
import { InProcessDeployQueue } from './in-process-deploy-queue';

/** The deploy queue without Redis; imported only when REDIS_URL is not set. */
@Module({
  imports: [DeployPipelineModule],
  providers: [{ provide: DeployQueue, useClass: InProcessDeployQueue }],
  exports: [DeployQueue],
})
export class InProcessDeployQueueModule {}
