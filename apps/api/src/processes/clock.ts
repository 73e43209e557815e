import { Injectable } from '@nestjs/common';

/** Wall-clock time, behind a class so tests can pin it. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
