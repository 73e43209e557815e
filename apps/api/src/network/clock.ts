import { Injectable } from '@nestjs/common';

/** Wall-clock time and timers of the network module, behind a class so tests can drive them. */
@Injectable()
export class NetworkClock {
  now(): number {
    return Date.now();
  }

  /** A timer that never keeps the process alive on its own. */
  schedule(ms: number, run: () => void): { cancel(): void } {
    const timer = setTimeout(run, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
