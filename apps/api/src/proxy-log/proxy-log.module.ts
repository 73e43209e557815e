import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ProxyLogController } from './proxy-log.controller';

/** The admin's view of the proxy's own log (the ring is the core logger's; the secrets to mask are the supervisor's list). */
@Module({ imports: [SupervisorModule], controllers: [ProxyLogController] })
export class ProxyLogModule {}
