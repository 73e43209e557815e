import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { RuntimeSettings } from '../core/config/runtime-settings';
import { APP_SECRETS } from '../core/config/secrets';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { ServiceLogs } from './logging/service-logs';
import { ProcessSupervisor } from './process-supervisor';
import { ProcFs } from './resources/proc-fs';
import { connectRemote } from './remote/connect-remote';
import { REMOTE_CONNECTOR } from './remote/remote-link';
import { ProcessSampler } from './resources/process-sampler';
import { ResourceWatch } from './resources/resource-watch';
import { SessionChildren } from './session-children';
import { ChildSandbox } from './sandbox/child-sandbox';
import { ChildLauncher } from './spawn/child-launcher';
import { ChildSpawner } from './spawn/child-spawner';
import { PortAllocator } from './spawn/port-allocator';
import { PROXY_SECRETS, proxySecretValues } from './spawn/proxy-secrets';
import { SUPERVISOR_OPTIONS, supervisorOptionsFrom } from './supervisor-options';
import { HostRuntimes } from './runtimes/host-runtimes';
import { ServiceCommands } from './runtimes/service-commands';

/**
 * The supervisor: runs the registry's services as children (spawn, sandbox, health, restarts, logs,
 * resources, remote children and the HTTP client links they talk over). Exports the registry with it, the
 * supervisor (handles for the MCP data plane), the logs (for the live gateway), the sandbox and the
 * proxy's secret values for the deploy pipeline (builds run confined; their logs mask those values), and
 * the host's runtimes (uv, Python, pipx, container engines) for create-time checks and Python builds.
 */
@Module({
  // ClusterLinkModule: the placement (which instance runs a service), a lease in a cluster.
  imports: [ServiceRegistryModule, ClusterLinkModule],
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
    HostRuntimes,
    ServiceCommands,
    { provide: SUPERVISOR_OPTIONS, inject: [RuntimeSettings], useFactory: supervisorOptionsFrom },
    { provide: PROXY_SECRETS, inject: [AppConfig, APP_SECRETS], useFactory: proxySecretValues },
    // A remote service's session: Streamable HTTP or legacy SSE towards its URL, run like a child.
    { provide: REMOTE_CONNECTOR, useValue: connectRemote },
  ],
  exports: [
    ServiceRegistryModule,
    ProcessSupervisor,
    ServiceLogs,
    ChildSandbox,
    PROXY_SECRETS,
    HostRuntimes,
    ServiceCommands,
    REMOTE_CONNECTOR,
  ],
})
export class SupervisorModule {}
