import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRegistryModule } from './service-registry.module';
import { ServiceControlController } from './service-control.controller';
import { ServicesController } from './services.controller';
import { ServiceCommandCheck } from './service-command-check';

/** The services API (`/api/services`): the registry's CRUD and start/stop/restart, carried out by the supervisor. */
@Module({
  imports: [ServiceRegistryModule, SupervisorModule],
  controllers: [ServicesController, ServiceControlController],
  providers: [ServiceCommandCheck],
})
export class ServicesModule {}
