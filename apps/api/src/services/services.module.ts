import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRegistryModule } from './service-registry.module';
import { ServicesController } from './services.controller';

/** The services API (`/api/services`): the registry's CRUD, which starts, re-applies and discards through the supervisor. */
@Module({
  imports: [ServiceRegistryModule, SupervisorModule],
  controllers: [ServicesController],
})
export class ServicesModule {}
