import { Module } from '@nestjs/common';
import { DeployModule } from '../github/deploy.module';
import { NetworkModule } from '../network/network.module';
import { ProcessesModule } from '../processes/processes.module';
import { LiveGateway } from './live.gateway';

/** The admin UI's live WebSocket (`/ws`). Depends on Processes, the deployments and the network status, never the other way round. */
@Module({ imports: [ProcessesModule, DeployModule, NetworkModule], providers: [LiveGateway] })
export class LiveModule {}
