import { Global, Module } from '@nestjs/common';
import { GracefulShutdown } from './graceful-shutdown';
import { RawRoutes } from './raw-routes';
import { UpgradeRouter } from './upgrade-router';

@Global()
@Module({ providers: [UpgradeRouter, RawRoutes, GracefulShutdown], exports: [UpgradeRouter, RawRoutes, GracefulShutdown] })
export class HttpPlatformModule {}
