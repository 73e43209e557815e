import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServiceEvents } from './service-events';
import { ServiceRemoteEntity } from './service-remote.entity';
import { ServiceRuntimes } from './service-runtimes';
import { ServiceEntity } from './service.entity';
import { ServicesService } from './services.service';

/**
 * The service registry: the stored services, their run-time table and their events. Modules that only
 * read or change service records (groups, users, OAuth) import this; the supervisor runs what it holds.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ServiceEntity, ServiceRemoteEntity])],
  providers: [ServicesService, ServiceRuntimes, ServiceEvents],
  exports: [ServicesService, ServiceRuntimes, ServiceEvents],
})
export class ServiceRegistryModule {}
