import { Injectable } from '@nestjs/common';
import { credentialStrength } from './credential-strength';
import type { Principal } from './principal';

const WINDOW_MS = 15 * 60 * 1000;
/** A memory bound: past it the entries touched longest ago go first. */
const MAX_ENTRIES = 200_000;
/** One account may be tried from many addresses: a wider budget, so one address cannot lock its owner out. */
const ACCOUNT_SCALE = 5;

/**
 * What failures are counted against. An address has one count per credential shape, so password guessing
 * does not lock out API-key holders and guessing short keys does not block strong ones; an account name
 * has its own, wider count across addresses.
 */
export class AuthBucket {
  private constructor(
    readonly key: string,
    readonly scale: number,
  ) {}

  static credential(address: string, strength: 'strong' | 'weak'): AuthBucket {
    return new AuthBucket(`${strength} ${address}`, 1);
  }

  static passwordLogin(address: string): AuthBucket {
    return new AuthBucket(`password ${address}`, 1);
  }

  /** Returns from the OpenID provider that fail (wrong state, nonce or code): counted like password guesses. */
  static providerCallback(address: string): AuthBucket {
    return new AuthBucket(`provider ${address}`, 1);
  }

  static account(username: string): AuthBucket {
    return new AuthBucket(`account ${username.toLowerCase()}`, ACCOUNT_SCALE);
  }
}

/** An attempt counted before its outcome is known; `release()` takes it back (it succeeded, or was never evaluated). */
export interface AuthAttempt {
  release(): void;
}

export type Reservation = { ok: true; attempt: AuthAttempt } | { ok: false; retryAfterMs: number };

/** How a presented credential fared: who it belongs to, or 401 / 429 (with the wait) to answer. */
export type ThrottledVerdict<T = Principal> = { principal: T } | { principal: null; status: 401 | 429; retryAfterMs: number };

interface Entry {
  /** Times of the latest failures, oldest first, at most the bucket's limit of them. */
  times: number[];
  /** When the entry stops mattering: its newest failure plus the window. */
  expiresAt: number;
}

/**
 * Counts failed authentication attempts in a sliding 15-minute window. Attempts are reserved before the
 * (possibly slow) check, so guesses sent at once cannot all slip in before the first failure is counted.
 * Entries sit in a Map in the order they were last touched, which is also the order they expire in, so
 * pruning only ever looks at the front. Process-local: each instance counts its own.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly entries = new Map<string, Entry>();

  /** `limit` is asked at each check, so a changed AUTH_FAILURE_LIMIT applies at once. */
  constructor(
    private readonly limit: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Addresses and accounts with failures in the window (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds until the bucket may try again, or 0 when it is not blocked. */
  retryAfterMs(bucket: AuthBucket): number {
    // The common case (no failures at all) must cost nothing: this runs on every MCP request.
    const entry = this.entries.get(bucket.key);
    if (!entry) return 0;
    const now = this.now();
    const limit = this.limitOf(bucket);
    const recent = entry.times.filter((time) => time > now - WINDOW_MS);
    if (recent.length < limit) return 0;
    return Math.max(1, recent[recent.length - limit] + WINDOW_MS - now);
  }

  recordFailure(bucket: AuthBucket): void {
    this.push(bucket, this.now());
  }

  /** Counts one attempt in every bucket, unless one of them is full: then nothing is counted. */
  reserve(buckets: readonly AuthBucket[]): Reservation {
    const waitMs = Math.max(0, ...buckets.map((bucket) => this.retryAfterMs(bucket)));
    if (waitMs > 0) return { ok: false, retryAfterMs: waitMs };
    const time = this.now();
    for (const bucket of buckets) this.push(bucket, time);
    let settled = false;
    return {
      ok: true,
      attempt: {
        release: () => {
          if (settled) return;
          settled = true;
          for (const bucket of buckets) this.takeBack(bucket, time);
        },
      },
    };
  }

  /**
   * The one check of a presented credential used by every entrance (REST, MCP, live updates, login).
   * No credential: 401, counted nowhere (OAuth discovery starts that way). A strong credential is always
   * checked, and a wrong one counted for its address; a guessable one is refused up front once its
   * address has failed too often.
   */
  async verify<T = Principal>(
    address: string,
    credential: string | undefined,
    check: (credential: string) => Promise<T | null>,
  ): Promise<ThrottledVerdict<T>> {
    if (!credential) return { principal: null, status: 401, retryAfterMs: 0 };
    if (credentialStrength(credential) === 'strong') {
      const principal = await check(credential);
      if (principal) return { principal };
      const bucket = AuthBucket.credential(address, 'strong');
      const waitMs = this.retryAfterMs(bucket);
      this.recordFailure(bucket);
      return {
        principal: null,
        status: waitMs > 0 ? 429 : 401,
        retryAfterMs: waitMs,
      };
    }
    const reservation = this.reserve([AuthBucket.credential(address, 'weak')]);
    if (!reservation.ok)
      return {
        principal: null,
        status: 429,
        retryAfterMs: reservation.retryAfterMs,
      };
    let principal: T | null;
    try {
      principal = await check(credential);
    } catch (error) {
      // Not evaluated (a database error, say): not a failure of the client's.
      reservation.attempt.release();
      throw error;
    }
    if (!principal) return { principal: null, status: 401, retryAfterMs: 0 };
    reservation.attempt.release();
    return { principal };
  }

  private limitOf(bucket: AuthBucket): number {
    return this.limit() * bucket.scale;
  }

  private push(bucket: AuthBucket, time: number): void {
    const entry = this.entries.get(bucket.key) ?? { times: [], expiresAt: 0 };
    entry.times.push(time);
    // Only the latest `limit` failures decide when the bucket opens again.
    const keep = this.limitOf(bucket);
    if (entry.times.length > keep) entry.times.splice(0, entry.times.length - keep);
    entry.expiresAt = time + WINDOW_MS;
    // Re-inserted at the end: the Map stays ordered by expiry.
    this.entries.delete(bucket.key);
    this.entries.set(bucket.key, entry);
    this.prune(time);
  }

  private takeBack(bucket: AuthBucket, time: number): void {
    const entry = this.entries.get(bucket.key);
    if (!entry) return;
    const index = entry.times.lastIndexOf(time);
    if (index >= 0) entry.times.splice(index, 1);
    if (entry.times.length === 0) this.entries.delete(bucket.key);
  }

  /** Amortised O(1): each entry is dropped once, and the walk stops at the first live one. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= MAX_ENTRIES) return;
      this.entries.delete(key);
    }
  }
}
