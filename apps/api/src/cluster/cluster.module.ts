import { Module } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../core/config/app-config';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceRuntimes } from '../services/service-runtimes';
import { ServicesService } from '../services/services.service';
import { ClusterBus } from './cluster-bus';
import { ClusterCoordinator } from './cluster-coordinator';
import { ClusterRouter } from './cluster-router';
import { ClusterStatus } from './cluster-status';
import { InstanceIdentity } from './instance-identity';
import { LeaseStore } from './lease-store';
import { RemoteRuntimeState } from './remote-runtime-state';

async function coordinatorFactory(
  config: AppConfig,
  identity: InstanceIdentity,
  supervisor: ProcessSupervisor,
  services: ServicesService,
  emitter: EventEmitter2,
  runtimes: ServiceRuntimes,
): Promise<ClusterCoordinator> {
  const redisUrl = config.get('REDIS_URL');
  const ttlMs = config.get('LEASE_TTL_SEC') * 1000;
  if (!identity.clustered || !identity.url || !redisUrl)
    return new ClusterCoordinator(identity, null, null, [], ttlMs, supervisor, services, emitter);
  // Loaded only in cluster mode, like the rate limiter's client.
  const { default: Redis } = await import('ioredis');
  const commands = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const prefix = config.get('CLUSTER_KEY_PREFIX');
  const leases = new LeaseStore(commands, prefix, { id: identity.id, url: identity.url }, ttlMs);
  const bus = new ClusterBus(commands, subscriber, prefix, identity.id);
  const remoteState = new RemoteRuntimeState(
    identity.id,
    new ClusterStatus(commands, prefix, ttlMs),
    bus,
    runtimes,
    services,
    emitter,
    (id) => leases.holds(id),
  );
  const tickMs = Math.max(500, Math.floor(ttlMs / 3));
  return new ClusterCoordinator(identity, leases, bus, [commands, subscriber], tickMs, supervisor, services, emitter, remoteState);
}

/**
 * Several instances behind a load balancer (INSTANCE_URL with REDIS_URL and PostgreSQL): leases decide
 * which instance runs each service, requests are forwarded to it. Without INSTANCE_URL it does nothing.
 */
@Module({
  imports: [SupervisorModule],
  providers: [
    { provide: InstanceIdentity, inject: [AppConfig], useFactory: InstanceIdentity.fromConfig },
    {
      provide: ClusterCoordinator,
      inject: [AppConfig, InstanceIdentity, ProcessSupervisor, ServicesService, EventEmitter2, ServiceRuntimes],
      useFactory: coordinatorFactory,
    },
    ClusterRouter,
  ],
  exports: [ClusterRouter],
})
export class ClusterModule {}
