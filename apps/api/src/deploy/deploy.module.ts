import { DynamicModule, Module } from '@nestjs/common';
import { ConditionalModule } from '@nestjs/config';
import { AuditModule } from '../audit/audit.module';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { redisConfigured } from '../core/config/env.schema';
import { DeployPipelineModule } from './deploy-pipeline.module';
import { DeployRecovery } from './deploy-recovery';
import { DeployService } from './deploy.service';
import { DeploymentsController } from './deployments.controller';
import { GithubController } from './github.controller';
import { BullDeployQueueModule } from './queue/bull-deploy-queue.module';
import { InProcessDeployQueueModule } from './queue/in-process-deploy-queue.module';
import { WebhookDeliveries } from './webhook/webhook-deliveries';
import { WebhookDeliveryEntity } from './webhook/webhook-delivery.entity';
import { WebhookService } from './webhook/webhook.service';

/**
 * Deploys from git repositories: the deploy and rollback endpoints, the GitHub webhook, the
 * deployments' history, and the queue that runs them (BullMQ on Redis when REDIS_URL is set, in
 * this process otherwise). Exports the deployments for the live gateway.
 */
@Module({})
export class DeployModule {
  static async forRoot(): Promise<DynamicModule> {
    return {
      module: DeployModule,
      imports: [
        DeployPipelineModule,
        AuditModule,
        // Which instance this is, and the others' heartbeats: a deployment another live instance runs is not recovered here.
        ClusterLinkModule,
        TypeOrmModule.forFeature([WebhookDeliveryEntity]),
        await ConditionalModule.registerWhen(BullDeployQueueModule, (env) => redisConfigured(env), { debug: false }),
        await ConditionalModule.registerWhen(InProcessDeployQueueModule, (env) => !redisConfigured(env), { debug: false }),
      ],
      controllers: [GithubController, DeploymentsController],
      providers: [DeployService, WebhookService, WebhookDeliveries, DeployRecovery],
      exports: [DeployPipelineModule, DeployService],
    };
  }
}
