import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import type { ClientSession } from './client-session';
import { PersistedSessionEntity } from './persisted-session.entity';

/** Session ids per UPDATE when marking sessions used. */
const TOUCH_BATCH = 1000;

/**
 * Durable copies of the sessions that can be re-created (Streamable HTTP, `shared` services), in the
 * database every instance shares. Writes never hold up a request: they run in the background and
 * `flush()` waits for them before the proxy stops.
 */
@Injectable()
export class SessionPersistence {
  private readonly logger = new Logger('SessionPersistence');
  private readonly pending = new Set<Promise<unknown>>();
  /** The last write per session id: writes of one id run in order, and a read waits for them. */
  private readonly lastWrite = new Map<string, Promise<unknown>>();
  /** The latest marking of sessions as used: a purge waits for it, or it could delete a row about to be marked. */
  private touched: Promise<unknown> = Promise.resolve();

  constructor(@InjectRepository(PersistedSessionEntity) private readonly rows: Repository<PersistedSessionEntity>) {}

  save(session: ClientSession): void {
    const now = Date.now();
    this.trackFor(session.id, () =>
      this.rows.save({
        id: session.id,
        serviceId: session.serviceId,
        principalId: session.principalId,
        protocolVersion: session.protocolVersion,
        clientCapabilities: session.clientCapabilities,
        clientInfo: session.clientInfo,
        scope: session.scope,
        createdAt: now,
        lastSeenAt: now,
      }),
    );
  }

  /** Ordered after the session's own save, so a DELETE right after initialize cannot be undone by it. */
  forget(id: string): void {
    this.trackFor(id, () => this.rows.delete({ id }));
  }

  forgetService(serviceId: string): void {
    void this.track(this.rows.delete({ serviceId }), 'delete');
  }

  /**
   * Marks sessions as used now, so the purge keeps them. In batches: one statement for every id would pass
   * SQLite's 32,766 bound variables (PostgreSQL's 65,535) once that many sessions are in use, and fail whole.
   */
  touch(ids: string[], now = Date.now()): void {
    const batches: Promise<unknown>[] = [];
    for (let start = 0; start < ids.length; start += TOUCH_BATCH)
      batches.push(this.track(this.rows.update({ id: In(ids.slice(start, start + TOUCH_BATCH)) }, { lastSeenAt: now }), 'touch'));
    // Settled to nothing, so the chain holds no results of earlier passes.
    this.touched = Promise.all([this.touched, ...batches]).then(() => undefined);
  }

  async load(id: string): Promise<PersistedSessionEntity | null> {
    await this.lastWrite.get(id);
    return this.rows.findOneBy({ id });
  }

  /** Sessions nobody used for `idleMs` (a client that went away while the proxy was down) are dropped. */
  purgeIdle(idleMs: number, now = Date.now()): void {
    void this.track(
      this.touched.then(() => this.rows.delete({ lastSeenAt: LessThan(now - idleMs) })),
      'purge',
    );
  }

  /** Waits for the writes in progress (before shutdown: a session created a moment ago must survive it). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private trackFor(id: string, write: () => Promise<unknown>): void {
    const previous = this.lastWrite.get(id) ?? Promise.resolve();
    const next = this.track(previous.then(write), 'write');
    this.lastWrite.set(id, next);
    void next.finally(() => {
      if (this.lastWrite.get(id) === next) this.lastWrite.delete(id);
    });
  }

  /**
   * Runs a write in the background: a failure is logged here (the promise returned never rejects) and
   * flush() waits for it, so callers that need no ordering drop the promise with `void`.
   */
  private track(work: Promise<unknown>, what: string): Promise<unknown> {
    const tracked = work.catch((error: unknown) => this.logger.warn(`Could not ${what} a persisted session: ${(error as Error).message}`));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }
}
