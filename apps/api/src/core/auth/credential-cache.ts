import type { Principal } from './principal';

/** How long a verified credential is believed without asking the database again: the backstop should news of a change be lost. */
export const CREDENTIAL_CACHE_TTL_MS = 10_000;
/** A memory bound: past it the entries used longest ago go first. */
export const CREDENTIAL_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** Whichever comes first: the TTL, or the credential's own expiry. */
  expiresAt: number;
}

/**
 * Verified credentials remembered for a few seconds, so an MCP request does not read the database to
 * learn what the previous request with the same token learnt. Keyed by the credential's SHA-256
 * (`hashToken`), never by the secret. Only successes are kept: a token refused once and created (or
 * fixed) a moment later works at once. An entry lives at most `ttlMs`, never past the credential's
 * own expiry, and `clear()` (any revocation or change, here or on another instance) forgets them all;
 * a check that began before a clear does not store what it found, since it may have read the old rows.
 * While `pause()`d (the news of other instances' changes is not reaching this one) it neither answers
 * nor stores, so every request asks the database; `resume()` starts it again, empty. A TTL of 0 turns it off.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private paused = false;

  constructor(
    private readonly ttlMs: number = CREDENTIAL_CACHE_TTL_MS,
    private readonly maxEntries: number = CREDENTIAL_CACHE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Principal | undefined {
    if (this.paused) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    // Re-inserted: the Map's order is the order of last use, so the bound drops the coldest first.
    this.entries.set(key, entry);
    return entry.principal;
  }

  /** Taken before a look-up: what it finds is stored only if nothing was cleared meanwhile. */
  ticket(): number {
    return this.generation;
  }

  /** `credentialExpiresAt`: when the credential itself stops being valid (ms since the epoch), if it does. */
  set(key: string, principal: Principal, ticket: number, credentialExpiresAt?: number): void {
    if (this.ttlMs <= 0 || this.paused || ticket !== this.generation) return;
    const expiresAt = Math.min(this.now() + this.ttlMs, credentialExpiresAt ?? Infinity);
    if (expiresAt <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { principal, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const coldest = this.entries.keys().next();
      if (coldest.done) break;
      this.entries.delete(coldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every entry, and every answer of a look-up still under way. */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Off until `resume()`: what other instances changed meanwhile cannot be heard. */
  pause(): void {
    this.paused = true;
    this.clear();
  }

  /** On again, empty: what was said while paused is unknown. */
  resume(): void {
    this.clear();
    this.paused = false;
  }

  get isPaused(): boolean {
    return this.paused;
  }
}
