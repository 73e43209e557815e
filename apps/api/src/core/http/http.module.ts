import { Global, Module } from '@nestjs/common';
import { ClientOrigin, clientOriginProvider } from './client-origin';
import { GracefulShutdown } from './graceful-shutdown';
import { RawRoutes } from './raw-routes';
import { Readiness } from './readiness';
import { UpgradeRouter } from './upgrade-router';

@Global()
@Module({
  providers: [UpgradeRouter, RawRoutes, GracefulShutdown, Readiness, clientOriginProvider],
  exports: [UpgradeRouter, RawRoutes, GracefulShutdown, Readiness, ClientOrigin],
})
export class HttpPlatformModule {}
