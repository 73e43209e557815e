import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Large-message bytes after which the end of a burst is worth a collection. */
export const BURST_BYTES = 32 * 1024 * 1024;
/** How long no large message came before a burst counts as over. */
export const BURST_QUIET_MS = 5000;
const CHECK_EVERY_MS = 1000;

/**
 * Gives the memory of a burst of large messages back once it is over. Their buffers (socket and pipe
 * reads) are freed only by a full collection, which V8 runs on its own schedule: after a burst, when
 * the proxy goes quiet, often not for minutes, and RSS stays up by what the burst left. Once
 * BURST_BYTES of large messages went through and none came for BURST_QUIET_MS, one full collection
 * runs (tens of milliseconds, once per burst); the allocator then hands the pages back.
 */
export class BurstCollector {
  private bytesAtCollection = 0;
  private bytesSeen = 0;
  private changedAt: number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly bytesSoFar: () => number,
    private readonly collect: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.changedAt = now();
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Collects when a burst has ended; run every second. */
  check(): void {
    const bytes = this.bytesSoFar();
    const now = this.now();
    if (bytes !== this.bytesSeen) {
      this.bytesSeen = bytes;
      this.changedAt = now;
      return;
    }
    if (bytes - this.bytesAtCollection < BURST_BYTES || now - this.changedAt < BURST_QUIET_MS) return;
    this.bytesAtCollection = bytes;
    this.collect();
  }
}

/** V8's full collection, without a global `gc` every module could call: the flag only equips a new context. */
export function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
