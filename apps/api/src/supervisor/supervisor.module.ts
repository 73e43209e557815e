import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { RuntimeSettings } from '../core/config/runtime-settings';
import { APP_SECRETS } from '../core/config/secrets';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { ServiceLogs } from './logging/service-logs';
import { ProcessSupervisor } from './process-supervisor';
import { ProcFs } from './resources/proc-fs';
import { ProcessSampler } from './resources/process-sampler';
import { ResourceWatch } from './resources/resource-watch';
import { SessionChildren } from './session-children';
import { ChildSandbox } from './sandbox/child-sandbox';
import { ChildLauncher } from './spawn/child-launcher';
import { ChildSpawner } from './spawn/child-spawner';
import { PortAllocator } from './spawn/port-allocator';
import { PROXY_SECRETS, proxySecretValues } from './spawn/proxy-secrets';
import { SUPERVISOR_OPTIONS, supervisorOptionsFrom } from './supervisor-options';

/**
 * The supervisor: runs the registry's services as children (spawn, sandbox, health, restarts, logs,
 * resources, remote children). Exports the registry with it, the supervisor (handles for the MCP data
 * plane), the logs (for the live gateway), and the sandbox and the proxy's secret values for the deploy
 * pipeline (builds run confined; their logs mask those values).
 */
@Module({
  imports: [ServiceRegistryModule],
  providers: [
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
    { provide: SUPERVISOR_OPTIONS, inject: [RuntimeSettings], useFactory: supervisorOptionsFrom },
    { provide: PROXY_SECRETS, inject: [AppConfig, APP_SECRETS], useFactory: proxySecretValues },
  ],
  exports: [ServiceRegistryModule, ProcessSupervisor, ServiceLogs, ChildSandbox, PROXY_SECRETS],
})
export class SupervisorModule {}
