import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AUTH_EVENTS } from './auth-events';
import { CredentialRegistry } from './credential-registry';
import type { Principal } from './principal';

/**
 * How often each credential held by an open stream is verified again. Short enough that a revocation
 * or an expiry lands "within a few seconds" on every instance; each pass verifies every distinct
 * credential once, however many streams share it.
 */
export const RECHECK_INTERVAL_MS = 3000;

/** Told what the credential stands for now: null when it no longer verifies (revoked, expired, deleted). */
export type CredentialChange = (principal: Principal | null) => void;

interface Watch {
  credential: string;
  /** What the stream was last told (role, scope, audience): a change is news, the same answer is not. */
  fingerprint: string;
  onChange: CredentialChange;
}

/**
 * Open streams (MCP WebSockets, SSE streams, the live gateway) hold a credential for as long as they
 * stay open, past the one check made when they opened. This re-verifies each such credential through
 * `CredentialRegistry.verifyNow` (the one credential check, past its cache) on a timer: a revoked,
 * expired or deleted credential ends its streams, a changed role or limits is handed to them. A timer
 * covers token expiry and the other instances of a cluster alike (each re-reads the shared database)
 * with no message to lose; a change made on this instance (`AUTH_EVENTS.changed`) starts a pass at once.
 */
@Injectable()
export class CredentialWatch implements OnModuleInit, OnModuleDestroy {
  private readonly watches = new Set<Watch>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly credentials: CredentialRegistry) {}

  /** A change made on this instance: a pass at once rather than at the next tick of the timer. */
  @OnEvent(AUTH_EVENTS.changed)
  onCredentialsChanged(): void {
    void this.recheck();
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.recheck(), RECHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.watches.clear();
  }

  /** Watches a credential for as long as the stream that holds it is open; call the returned function when it closes. */
  watch(credential: string, principal: Principal, onChange: CredentialChange): () => void {
    const entry: Watch = {
      credential,
      fingerprint: fingerprintOf(principal),
      onChange,
    };
    this.watches.add(entry);
    return () => this.watches.delete(entry);
  }

  get size(): number {
    return this.watches.size;
  }

  /** One pass over every watched credential; a pass asked for while one runs follows it (news is never lost). */
  recheck(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.recheck();
      }
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const byCredential = new Map<string, Watch[]>();
    for (const watch of this.watches) {
      const list = byCredential.get(watch.credential);
      if (list) list.push(watch);
      else byCredential.set(watch.credential, [watch]);
    }
    for (const [credential, watches] of byCredential) {
      let principal: Principal | null;
      try {
        principal = await this.credentials.verifyNow(credential);
      } catch {
        // The database did not answer: keep the streams until a pass can tell.
        continue;
      }
      const fingerprint = principal ? fingerprintOf(principal) : 'revoked';
      for (const watch of watches) {
        if (!this.watches.has(watch) || watch.fingerprint === fingerprint) continue;
        watch.fingerprint = fingerprint;
        if (!principal) this.watches.delete(watch);
        try {
          watch.onChange(principal);
        } catch {
          // one stream's failure to close must not keep the others open
        }
      }
    }
  }
}

function fingerprintOf(principal: Principal): string {
  return JSON.stringify([principal.id, principal.role, principal.scope ?? null, principal.audience ?? null]);
}
