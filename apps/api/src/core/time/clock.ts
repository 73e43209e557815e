import { Injectable } from '@nestjs/common';

/** A pending timer; `cancel()` is safe to call more than once. */
export interface ScheduledTask {
  cancel(): void;
}

/**
 * Wall-clock time, timers and chance for the whole API, behind one class so tests can pin or drive
 * them (the supervisor's timestamps, the network's re-mapping timer, the certificates' renewal plan).
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }

  random(): number {
    return Math.random();
  }

  /** Runs `task` after `delayMs`; never keeps the process alive on its own. */
  schedule(delayMs: number, task: () => void): ScheduledTask {
    // setTimeout fires at once for delays past 2^31-1 ms; nothing here waits longer than a day anyway.
    const timer = setTimeout(task, Math.min(delayMs, 2 ** 31 - 1));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
