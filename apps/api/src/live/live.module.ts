import { Module } from '@nestjs/common';
import { DeployPipelineModule } from '../deploy/deploy-pipeline.module';
import { NetworkModule } from '../network/network.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { LiveGateway } from './live.gateway';

/** The admin UI's live WebSocket (`/ws`). Depends on Processes, the deployments and the network status, never the other way round. */
@Module({ imports: [SupervisorModule, DeployPipelineModule, NetworkModule], providers: [LiveGateway] })
export class LiveModule {}
