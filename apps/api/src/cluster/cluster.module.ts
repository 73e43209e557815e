import { Module } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRuntimes } from '../services/service-runtimes';
import { ServicesService } from '../services/services.service';
import { ClusterBalancer } from './cluster-balancer';
import { ClusterCoordinator } from './cluster-coordinator';
import { CLUSTER_LINK, ClusterLink } from './cluster-link';
import { ClusterLinkModule } from './cluster-link.module';
import { ClusterRouter } from './cluster-router';
import { InstanceIdentity } from './instance-identity';
import { RemoteRuntimeState } from './remote-runtime-state';

function coordinatorFactory(
  link: ClusterLink | null,
  identity: InstanceIdentity,
  supervisor: ProcessSupervisor,
  services: ServicesService,
  emitter: EventEmitter2,
  runtimes: ServiceRuntimes,
): ClusterCoordinator {
  if (!link) return new ClusterCoordinator(identity, null, null, 0, supervisor, services, emitter);
  const { leases, bus } = link;
  const remoteState = new RemoteRuntimeState(identity.id, link.status, bus, runtimes, services, emitter, (id) => leases.holds(id));
  const tickMs = Math.max(500, Math.floor(link.ttlMs / 3));
  const balancer = new ClusterBalancer(leases, bus, supervisor, identity.id, link.ttlMs);
  return new ClusterCoordinator(identity, leases, bus, tickMs, supervisor, services, emitter, remoteState, balancer);
}

/**
 * Several instances behind a load balancer (INSTANCE_URL with REDIS_URL and PostgreSQL): leases decide
 * which instance runs each service, requests are forwarded to it. Without INSTANCE_URL it does nothing.
 * The leases themselves and the supervisor's placement are ClusterLinkModule (the supervisor imports it).
 */
@Module({
  imports: [ClusterLinkModule, SupervisorModule],
  providers: [
    {
      provide: ClusterCoordinator,
      inject: [CLUSTER_LINK, InstanceIdentity, ProcessSupervisor, ServicesService, EventEmitter2, ServiceRuntimes],
      useFactory: coordinatorFactory,
    },
    ClusterRouter,
  ],
  exports: [ClusterRouter],
})
export class ClusterModule {}
