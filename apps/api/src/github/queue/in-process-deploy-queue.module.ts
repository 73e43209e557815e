import { Module } from '@nestjs/common';
import { DeployModule } from '../deploy.module';
import { DeployQueue } from './deploy-queue';
import { InProcessDeployQueue } from './in-process-deploy-queue';

/** The deploy queue without Redis; imported only when REDIS_URL is not set. */
@Module({
  imports: [DeployModule],
  providers: [{ provide: DeployQueue, useClass: InProcessDeployQueue }],
  exports: [DeployQueue],
})
export class InProcessDeployQueueModule {}
