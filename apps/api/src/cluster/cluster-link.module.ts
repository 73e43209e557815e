import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { CHILD_PLACEMENT, RUN_EVERYTHING_HERE } from '../supervisor/child-placement';
import { CLUSTER_LINK, ClusterLink } from './cluster-link';
import { InstanceIdentity } from './instance-identity';

/**
 * The part of the cluster the supervisor builds on: this instance's identity, the Redis link (null alone)
 * and the placement the supervisor asks before it runs a service (the lease holder runs it; alone,
 * everything runs here). Depends on the core only, so the supervisor can import it; the coordinator and
 * the request forwarding, which use the supervisor, are ClusterModule.
 */
@Module({
  providers: [
    { provide: InstanceIdentity, inject: [AppConfig], useFactory: InstanceIdentity.fromConfig },
    { provide: CLUSTER_LINK, inject: [AppConfig, InstanceIdentity], useFactory: ClusterLink.open },
    {
      provide: CHILD_PLACEMENT,
      inject: [CLUSTER_LINK],
      useFactory: (link: ClusterLink | null) => link?.placement() ?? RUN_EVERYTHING_HERE,
    },
  ],
  exports: [InstanceIdentity, CLUSTER_LINK, CHILD_PLACEMENT],
})
export class ClusterLinkModule {}
