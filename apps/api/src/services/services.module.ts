import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRegistryModule } from './service-registry.module';
import { ServiceControlController } from './service-control.controller';
import { ServicesController } from './services.controller';
import { ServiceCommandCheck } from './service-command-check';
import { ClientConfigImportController } from './client-config/client-config-import.controller';
import { ClientConfigImportService } from './client-config/client-config-import.service';

/** The services API (`/api/services`): the registry's CRUD and start/stop/restart, carried out by the supervisor; importing a client's server list. */
@Module({
  imports: [ServiceRegistryModule, SupervisorModule],
  controllers: [ServicesController, ServiceControlController, ClientConfigImportController],
  providers: [ServiceCommandCheck, ClientConfigImportService],
})
export class ServicesModule {}
