import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/** The one clock, for every module (tests replace it with `overrideProvider(Clock)`). */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class TimeModule {}
