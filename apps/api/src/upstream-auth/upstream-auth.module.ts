import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CLUSTER_LINK, ClusterLink } from '../cluster/cluster-link';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { NamedLocks, NO_LOCKS } from '../cluster/redis-lock';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { ConnectionOwners } from './connection-owners';
import { UpstreamAuthCleanup } from './upstream-auth-cleanup';
import { UpstreamAuthController } from './upstream-auth.controller';
import { UpstreamClientEntity, UpstreamConnectionEntity, UpstreamElicitationEntity } from './upstream-auth.entities';
import { UpstreamConnectFlow } from './upstream-connect-flow';
import { REFRESH_LOCKS, UpstreamConnections } from './upstream-connections.service';
import { UpstreamElicitations } from './upstream-elicitations';

/**
 * Upstream OAuth: the proxy as each user's (or everyone's, `shared`) OAuth client of remote services with
 * `remote.auth: "oauth"`. The connections live here; the proxy's data plane asks them for Bearer tokens.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UpstreamConnectionEntity, UpstreamClientEntity, UpstreamElicitationEntity]),
    ServiceRegistryModule,
    ClusterLinkModule,
  ],
  controllers: [UpstreamAuthController],
  providers: [
    ConnectionOwners,
    UpstreamConnections,
    UpstreamElicitations,
    UpstreamConnectFlow,
    UpstreamAuthCleanup,
    { provide: REFRESH_LOCKS, inject: [CLUSTER_LINK], useFactory: (link: ClusterLink | null): NamedLocks => link?.locks ?? NO_LOCKS },
  ],
  exports: [UpstreamConnections, UpstreamElicitations],
})
export class UpstreamAuthModule {}
