import { Global, Module } from '@nestjs/common';
import { ClientOrigin, clientOriginProvider } from './client-origin.service';
import { GracefulShutdown } from './graceful-shutdown';
import { RawRoutes } from './raw-routes';
import { UpgradeRouter } from './upgrade-router';

@Global()
@Module({ providers: [UpgradeRouter, RawRoutes, GracefulShutdown, clientOriginProvider], exports: [UpgradeRouter, RawRoutes, GracefulShutdown, ClientOrigin] })
export class HttpPlatformModule {}
