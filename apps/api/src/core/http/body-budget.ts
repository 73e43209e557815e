/** Gives reserved bytes back; calling it again does nothing. */
export type ReturnBytes = () => void;

interface Waiter {
  bytes: number;
  grant: (release: ReturnBytes) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * How many bytes of large request bodies the proxy holds at once. A large body is read only once
 * the budget has room for it; until then its bytes wait in the kernel (its socket is not read, so
 * TCP flow control slows the client down) and the bodies before it are read, handed on and given
 * back first. A burst of large messages then costs a bounded amount of memory, not all of them at
 * once. Waiters are served in order; one body larger than the whole budget is read alone.
 *
 * A body that has waited `maxWaitMs` is read anyway (and counted): a client trickling a large body
 * must not stall everyone else's for long.
 */
export class BodyBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Bytes reserved now (bodies being read or not yet written on). */
  get reserved(): number {
    return this.used;
  }

  /** Resolves, in arrival order, once `bytes` fit; with the function that gives them back. */
  reserve(bytes: number): Promise<ReturnBytes> {
    if (this.waiting.length === 0 && this.fits(bytes)) return Promise.resolve(this.take(bytes));
    return new Promise((grant) => {
      const waiter: Waiter = {
        bytes,
        grant,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          grant(this.take(bytes));
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.capacity;
  }

  private take(bytes: number): ReturnBytes {
    this.used += bytes;
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.used -= bytes;
      this.admit();
    };
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift() as Waiter;
      clearTimeout(next.timer);
      next.grant(this.take(next.bytes));
    }
  }
}
