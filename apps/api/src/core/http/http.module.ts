import { Global, Module } from '@nestjs/common';
import { RawRoutes } from './raw-routes';
import { UpgradeRouter } from './upgrade-router';

@Global()
@Module({ providers: [UpgradeRouter, RawRoutes], exports: [UpgradeRouter, RawRoutes] })
export class HttpPlatformModule {}
