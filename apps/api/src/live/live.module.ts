import { Module } from '@nestjs/common';
import { ProcessesModule } from '../processes/processes.module';
import { LiveGateway } from './live.gateway';

/** The admin UI's live WebSocket (`/ws`). Depends on Processes, never the other way round. */
@Module({ imports: [ProcessesModule], providers: [LiveGateway] })
export class LiveModule {}
