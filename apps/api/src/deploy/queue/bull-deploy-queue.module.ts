import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../core/config/app-config';
import { DeployPipelineModule } from '../deploy-pipeline.module';
import { BullDeployQueue, DEPLOY_QUEUE_NAME } from './bull-deploy-queue';
import { DEPLOY_LOCK_REDIS, DeployLock } from './deploy-lock';
import { DeployQueue } from './deploy-queue';
import { DeployProcessor } from './deploy.processor';
import { redisOptionsFrom } from './redis-connection';

function redisUrl(config: AppConfig): string {
  const url = config.get('REDIS_URL');
  if (!url) throw new Error('REDIS_URL is required for the BullMQ deploy queue');
  return url;
}

/** The deploy queue on Redis; imported only when REDIS_URL is set. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ connection: redisOptionsFrom(redisUrl(config)), prefix: config.get('DEPLOY_QUEUE_PREFIX') }),
    }),
    BullModule.registerQueue({ name: DEPLOY_QUEUE_NAME }),
    DeployPipelineModule,
  ],
  providers: [
    {
      provide: DEPLOY_LOCK_REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new Redis(redisUrl(config), { maxRetriesPerRequest: 2 }),
    },
    {
      provide: DeployLock,
      inject: [DEPLOY_LOCK_REDIS, AppConfig],
      useFactory: (redis: Redis, config: AppConfig) => new DeployLock(redis, config.get('DEPLOY_QUEUE_PREFIX')),
    },
    DeployProcessor,
    { provide: DeployQueue, useClass: BullDeployQueue },
  ],
  exports: [DeployQueue],
})
export class BullDeployQueueModule {}
