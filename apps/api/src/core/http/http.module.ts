import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ClientOrigin, clientOriginProvider } from './client-origin';
import { DeclaredHandlers } from './declared-handlers';
import { GracefulShutdown } from './graceful-shutdown';
import { RawRoutes } from './raw-routes';
import { PublicOrigin } from './public-origin';
import { Readiness } from './readiness';
import { UpgradeRouter } from './upgrade-router';

/**
 * The listeners' platform: raw lanes, WebSocket upgrades and the graceful stop. Features declare their
 * part on their own providers (`@RawRoute`, `@UpgradeRoute`, `@DrainsOnShutdown`); these classes find
 * them through Nest's DiscoveryService at start-up, so core imports no feature.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [DeclaredHandlers, UpgradeRouter, RawRoutes, GracefulShutdown, Readiness, clientOriginProvider, PublicOrigin],
  exports: [UpgradeRouter, RawRoutes, GracefulShutdown, Readiness, ClientOrigin, PublicOrigin],
})
export class HttpPlatformModule {}
