import { Module } from '@nestjs/common';
import { DeployModule } from '../github/deploy.module';
import { ProcessesModule } from '../processes/processes.module';
import { LiveGateway } from './live.gateway';

/** The admin UI's live WebSocket (`/ws`). Depends on Processes and the deployments, never the other way round. */
@Module({ imports: [ProcessesModule, DeployModule], providers: [LiveGateway] })
export class LiveModule {}
