import { Injectable } from '@nestjs/common';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * Counts failed authentication attempts per client address in a sliding window, so a key
 * cannot be guessed at request speed. Process-local for now: with Redis (scale issue) the
 * counters move there so every instance sees the same totals.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly failures = new Map<string, number[]>();

  /** `limit` is asked at each check, so a changed AUTH_FAILURE_LIMIT applies at once. */
  constructor(
    private readonly limit: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the address may try again, or 0 when it is not blocked. */
  retryAfterMs(address: string): number {
    // The common case (no failures at all) must cost nothing: this runs on every MCP request.
    if (!this.failures.has(address)) return 0;
    const recent = this.recent(address);
    const limit = this.limit();
    if (recent.length < limit) return 0;
    return recent[recent.length - limit] + WINDOW_MS - this.now();
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent);
    if (this.failures.size > 10_000) this.prune();
  }

  private recent(address: string): number[] {
    const since = this.now() - WINDOW_MS;
    return (this.failures.get(address) ?? []).filter((time) => time > since);
  }

  private prune(): void {
    for (const address of this.failures.keys()) {
      if (this.recent(address).length === 0) this.failures.delete(address);
    }
  }
}
