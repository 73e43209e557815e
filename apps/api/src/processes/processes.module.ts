import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../core/config/app-config.service';
import { RuntimeSettings } from '../core/config/runtime-settings.service';
import { APP_SECRETS } from '../core/config/secrets';
import { Clock } from './clock';
import { ServiceLogs } from './logging/service-logs.service';
import { ProcessSupervisor } from './process-supervisor.service';
import { ProcFs } from './resources/proc-fs';
import { ProcessSampler } from './resources/process-sampler';
import { ResourceWatch } from './resources/resource-watch';
import { ServiceControlController } from './service-control.controller';
import { ServiceEvents } from './service-events';
import { ServiceRuntimes } from './service-runtimes';
import { ServiceRemoteEntity } from './remote/service-remote.entity';
import { ServiceEntity } from './service.entity';
import { ServicesController } from './services.controller';
import { ServicesService } from './services.service';
import { SessionChildren } from './session-children';
import { ChildSandbox } from './sandbox/child-sandbox.service';
import { ChildLauncher } from './spawn/child-launcher';
import { ChildSpawner } from './spawn/child-spawner';
import { PortAllocator } from './spawn/port-allocator';
import { PROXY_SECRETS, proxySecretValues } from './spawn/proxy-secrets';
import { SUPERVISOR_OPTIONS, supervisorOptionsFrom } from './supervisor-options';

/**
 * The service registry and the supervisor that runs it. Exports the registry, the supervisor (handles
 * for the MCP data plane) and the logs (for the live gateway).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ServiceEntity, ServiceRemoteEntity])],
  controllers: [ServicesController, ServiceControlController],
  providers: [
    ServicesService,
    ServiceRuntimes,
    ServiceEvents,
    ProcessSupervisor,
    SessionChildren,
    ChildLauncher,
    ChildSpawner,
    ChildSandbox,
    PortAllocator,
    ProcFs,
    ProcessSampler,
    ResourceWatch,
    ServiceLogs,
    Clock,
    { provide: SUPERVISOR_OPTIONS, inject: [RuntimeSettings], useFactory: supervisorOptionsFrom },
    { provide: PROXY_SECRETS, inject: [AppConfig, APP_SECRETS], useFactory: proxySecretValues },
  ],
  exports: [ServicesService, ProcessSupervisor, ServiceLogs, ServiceRuntimes, ChildSandbox],
})
export class ProcessesModule {}
