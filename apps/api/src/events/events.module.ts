import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { EventsController } from './events.controller';
import { ServiceEventEntity } from './service-event.entity';
import { ServiceEventRecorder } from './service-event-recorder';
import { ServiceEventsService } from './service-events.service';

/** Service events kept in the database, so every instance and every page load sees the same recent history. */
@Module({
  imports: [ClusterLinkModule, ServiceRegistryModule, TypeOrmModule.forFeature([ServiceEventEntity])],
  controllers: [EventsController],
  providers: [ServiceEventRecorder, ServiceEventsService],
})
export class EventsModule {}
