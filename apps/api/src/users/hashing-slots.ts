import { ServiceUnavailableException } from '@nestjs/common';

/**
 * Bounds how many password hashes run at once. Each scrypt takes ~32 MiB and a libuv thread for a
 * noticeable time; unbounded, a burst of logins fills the threadpool (which file and DNS I/O share)
 * and the memory. A few run, a few more wait briefly, the rest are told to come back (503). Written
 * here rather than taken from p-limit because the refusal (queue bound and wait bound) is the point.
 */
export class HashingSlots {
  private running = 0;
  private readonly waiting: Array<{
    start: () => void;
    timer: NodeJS.Timeout;
  }> = [];

  constructor(
    private readonly concurrency = 2,
    private readonly queueLimit = 32,
    private readonly maxWaitMs = 10_000,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queueLimit) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      const slot = {
        start: () => {
          clearTimeout(slot.timer);
          this.running++;
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(slot), 1);
          reject(busy());
        }, this.maxWaitMs),
      };
      this.waiting.push(slot);
    });
  }
}

function busy(): ServiceUnavailableException {
  return new ServiceUnavailableException('Too many password checks at once; try again in a moment');
}
