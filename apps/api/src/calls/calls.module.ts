import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { CALL_RECORDER } from '../proxy/metrics/call-record';
import { CallLogEntity } from './call-log.entity';
import { CallLogRetention } from './call-log-retention';
import { CallLogWriter } from './call-log-writer';
import { CallPayloadPolicy } from './call-payload-policy';
import { CallsController } from './calls.controller';
import { CallStatsService } from './call-stats.service';
import { CallsService } from './calls.service';

/**
 * The call history: every `tools/call`, `resources/read` and `prompts/get` the proxy finishes, recorded
 * off the hot path (the proxy hands records to CALL_RECORDER), kept within its age and row limits, and
 * read at GET /api/calls.
 */
@Module({
  imports: [ClusterLinkModule, ServiceRegistryModule, TypeOrmModule.forFeature([CallLogEntity])],
  controllers: [CallsController],
  providers: [
    CallLogWriter,
    CallPayloadPolicy,
    CallLogRetention,
    CallsService,
    CallStatsService,
    { provide: CALL_RECORDER, useExisting: CallLogWriter },
  ],
  exports: [CALL_RECORDER],
})
export class CallsModule {}
