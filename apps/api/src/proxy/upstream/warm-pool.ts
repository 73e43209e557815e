import { inBackground } from '../../core/logging/background';
import type { ChildHandle } from '../../supervisor/child-handle';
import type { ServerIdentity } from './upstream';

/** A child started and initialized ahead of the session that will take it. */
export interface WarmChild {
  handle: ChildHandle;
  identity: ServerIdentity;
}

export interface WarmPoolOptions {
  /** Children to keep ready. */
  min: number;
  /** Starts and initializes one child; rejects when it cannot (the service's child limit reached, a failed start). */
  start: () => Promise<WarmChild>;
  stop: (handle: ChildHandle) => void;
  /** Told of a start that failed; the pool tries again after `retryMs`. */
  onError: (error: unknown) => void;
  retryMs: number;
}

/**
 * `pool` isolation: children kept started and initialized so that a new session's first call does not wait for
 * a spawn. A session takes one and the pool starts the next behind it; a ready child that exits is replaced.
 * After a failed start it waits `retryMs`, so a server that cannot start is not spawned in a loop.
 */
export class WarmPool {
  private ready: WarmChild[] = [];
  private starting = 0;
  /** Sessions waiting for a child that is starting (each gets the next one ready, or null if it fails). */
  private waiting: ((child: WarmChild | null) => void)[] = [];
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: WarmPoolOptions) {
    this.refill();
  }

  get min(): number {
    return this.options.min;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /**
   * A child for a new session: a ready one, else the next one to finish starting; null when none is on its way
   * (the caller starts one itself).
   */
  take(): Promise<WarmChild | null> {
    const child = this.ready.shift();
    const taken =
      child || this.starting <= this.waiting.length
        ? Promise.resolve(child ?? null)
        : new Promise<WarmChild | null>((resolve) => this.waiting.push(resolve));
    this.refill();
    return taken;
  }

  /** Starts children until `min` are ready or on their way (a session's child ended: there is room again). */
  topUp(): void {
    this.refill();
  }

  /** Stops the ready children and starts no more; children already taken belong to their sessions. */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    for (const child of this.ready) this.options.stop(child.handle);
    this.ready = [];
    for (const waiter of this.waiting.splice(0)) waiter(null);
  }

  private refill(): void {
    while (!this.closed && !this.retry && this.ready.length + this.starting < this.options.min) {
      this.starting++;
      this.options.start().then(
        (child) => {
          this.starting--;
          if (this.closed) return this.options.stop(child.handle);
          const waiter = this.waiting.shift();
          if (waiter) {
            waiter(child);
            return this.refill();
          }
          this.ready.push(child);
          inBackground(
            child.handle.exited.then(() => this.onExit(child)),
            'WarmPool',
            'Replacing a ready child that exited',
          );
        },
        (error: unknown) => {
          this.starting--;
          this.waiting.shift()?.(null);
          if (this.closed) return;
          this.options.onError(error);
          this.later();
        },
      );
    }
  }

  /** A child that exits while it waits for a session is replaced (after a pause: it may exit again at once). */
  private onExit(child: WarmChild): void {
    const index = this.ready.indexOf(child);
    if (index === -1) return;
    this.ready.splice(index, 1);
    this.later();
  }

  private later(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.refill();
    }, this.options.retryMs);
    this.retry.unref();
  }
}
