import { Injectable } from '@nestjs/common';

/** Time, timers and chance for the renewal plan, behind a class so tests can drive them. */
@Injectable()
export class RenewalClock {
  now(): number {
    return Date.now();
  }

  random(): number {
    return Math.random();
  }

  /** Runs `task` after `delayMs`; the returned function cancels it. Never keeps the process alive on its own. */
  schedule(delayMs: number, task: () => void): () => void {
    // setTimeout fires at once for delays past 2^31-1 ms; nothing here waits longer than a day anyway.
    const timer = setTimeout(task, Math.min(delayMs, 2 ** 31 - 1));
    timer.unref();
    return () => clearTimeout(timer);
  }
}
