import { Global, Module } from '@nestjs/common';
import { UpgradeRouter } from './upgrade-router';

@Global()
@Module({ providers: [UpgradeRouter], exports: [UpgradeRouter] })
export class HttpPlatformModule {}
