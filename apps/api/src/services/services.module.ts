import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRegistryModule } from './service-registry.module';
import { ServiceControlController } from './service-control.controller';
import { ServicesController } from './services.controller';

/** The services API (`/api/services`): the registry's CRUD and start/stop/restart, carried out by the supervisor. */
@Module({
  imports: [ServiceRegistryModule, SupervisorModule],
  controllers: [ServicesController, ServiceControlController],
})
export class ServicesModule {}
