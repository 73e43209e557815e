import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mayOnlyListMcp, type Principal } from '../../core/auth/principal';
import { bothToolPredicates, toolPredicateOf, toolPredicateOfScope } from '../scope/tool-scope';
import { ClientSession, RequestObserver, SessionTransport } from './client-session';
import { SessionPersistence } from './session-persistence';

type CloseHook = (session: ClientSession) => void;

const REAP_INTERVAL_MS = 30_000;

/** How long a session of a `shared` service lives unused (here, and as a persisted row). */
export const SHARED_SESSION_IDLE_MS = 30 * 60 * 1000;

/**
 * Live client sessions. A session is found only by its id together with the principal that
 * opened it: anyone else gets "not found", exactly like an unknown id.
 */
@Injectable()
export class SessionStore implements OnModuleDestroy {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly closeHooks = new Set<CloseHook>();
  private readonly idleLimits = new Map<string, number>();
  private readonly reviving = new Map<string, Promise<ClientSession | undefined>>();
  private readonly reaper = setInterval(() => this.reapIdle(), REAP_INTERVAL_MS).unref();
  private lastReap = Date.now();
  private readonly observers: RequestObserver[] = [];
  /** What every session reports to: each observer in turn (the proxy's metrics, the call log). */
  private readonly observer: RequestObserver = {
    answered: (session, entry, response) => {
      for (const observer of this.observers) observer.answered(session, entry, response);
    },
    dropped: (session, entry) => {
      for (const observer of this.observers) observer.dropped?.(session, entry);
    },
    keepsArguments: false,
  };

  // Typed without `| null`: a union would hide the class from Nest's injector.
  constructor(@Optional() private readonly persistence?: SessionPersistence) {
    this.persistence?.purgeIdle(SHARED_SESSION_IDLE_MS);
  }

  /** Every session, stored or throw-away, reports how its requests end to each observer added here. */
  observe(observer: RequestObserver): void {
    this.observers.push(observer);
    if (observer.keepsArguments) this.observer.keepsArguments = true;
  }

  /** A session for one sessionless request (stateless or one-shot): never stored, gone with its request. */
  ephemeral(serviceId: string, principal: Principal, protocolVersion: string): ClientSession {
    const session = new ClientSession(randomBytes(9).toString('base64url'), serviceId, principal.id, 'stateless', protocolVersion);
    session.ownedBy(principal);
    session.observer = this.observer;
    return session;
  }

  create(serviceId: string, principalId: string, transport: SessionTransport, protocolVersion: string, idleLimitMs: number): ClientSession {
    return this.add(
      new ClientSession(randomBytes(18).toString('base64url'), serviceId, principalId, transport, protocolVersion),
      idleLimitMs,
    );
  }

  /** Keeps a copy of the session in the database, so a restart (or another instance) can bring it back. */
  persist(session: ClientSession): void {
    if (!this.persistence || session.closed) return;
    session.durable = true;
    this.persistence.save(session);
  }

  find(id: string, principalId: string): ClientSession | undefined {
    const session = this.sessions.get(id);
    if (!session || session.principalId !== principalId) return undefined;
    session.lastActivity = Date.now();
    return session;
  }

  /**
   * A session this process does not hold but the database does (the proxy restarted, or the instance
   * that served it is gone): re-created with the same id, what the client negotiated and the limits it
   * was opened with. Only for its owner (whose credential was just verified again) and its service; the
   * owner's current tool list and role apply on top, so limits can only narrow. Concurrent requests for one id
   * share one lookup.
   */
  async revive(id: string, principal: Principal, serviceId: string): Promise<ClientSession | undefined> {
    if (!this.persistence) return undefined;
    let pending = this.reviving.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.reviving.delete(id));
      this.reviving.set(id, pending);
    }
    const session = await pending;
    if (!session || session.principalId !== principal.id || session.serviceId !== serviceId) return undefined;
    session.toolAllowList = bothToolPredicates(toolPredicateOfScope(session.scope), toolPredicateOf(principal));
    session.listOnly = session.scope.listOnly === true || mayOnlyListMcp(principal);
    session.ownedBy(principal);
    return this.find(id, principal.id);
  }

  /** Every session of one service (for notifications that concern them all). */
  *ofService(serviceId: string): IterableIterator<ClientSession> {
    for (const session of this.sessions.values()) if (session.serviceId === serviceId) yield session;
  }

  countOf(serviceId: string): number {
    let count = 0;
    for (const session of this.sessions.values()) if (session.serviceId === serviceId) count++;
    return count;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Every live session (for a graceful shutdown that tells their streams to reconnect). */
  all(): ClientSession[] {
    return [...this.sessions.values()];
  }

  onClose(hook: CloseHook): void {
    this.closeHooks.add(hook);
  }

  /** Ends a session; `forget: false` (shutdown) keeps its persisted copy so it comes back. */
  close(session: ClientSession, { forget = true }: { forget?: boolean } = {}): void {
    if (!this.sessions.delete(session.id)) return;
    this.idleLimits.delete(session.id);
    session.closed = true;
    if (forget && session.durable) this.persistence?.forget(session.id);
    for (const hook of this.closeHooks) hook(session);
  }

  /** Every session a principal holds here: its credential was revoked or changed. */
  closeAllOfPrincipal(principalId: string): void {
    for (const session of [...this.sessions.values()]) if (session.principalId === principalId) this.close(session);
  }

  closeAllOf(serviceId: string): void {
    for (const session of [...this.ofService(serviceId)]) this.close(session);
  }

  onModuleDestroy(): void {
    clearInterval(this.reaper);
    this.touchUsed(Date.now());
    for (const session of [...this.sessions.values()]) this.close(session, { forget: false });
  }

  /** Ends sessions nobody has used for their idle limit; an open stream or a pending call counts as use. */
  reapIdle(now = Date.now()): void {
    for (const session of [...this.sessions.values()]) {
      const busy = session.inflightCount > 0 || (session.standalone !== null && !session.standalone.closed);
      if (busy) session.lastActivity = now;
      else if (now - session.lastActivity > (this.idleLimits.get(session.id) ?? Infinity)) this.close(session);
    }
    this.touchUsed(now);
    this.persistence?.purgeIdle(SHARED_SESSION_IDLE_MS, now);
  }

  /** Persisted sessions used since the last pass get their `lastSeenAt` moved, in one write. */
  private touchUsed(now: number): void {
    const used = [...this.sessions.values()]
      .filter((session) => session.durable && session.lastActivity >= this.lastReap)
      .map((session) => session.id);
    this.lastReap = now;
    this.persistence?.touch(used, now);
  }

  private add(session: ClientSession, idleLimitMs: number): ClientSession {
    session.observer = this.observer;
    this.sessions.set(session.id, session);
    this.idleLimits.set(session.id, idleLimitMs);
    return session;
  }

  private async load(id: string): Promise<ClientSession | undefined> {
    const live = this.sessions.get(id);
    if (live) return live;
    const row = await (this.persistence as SessionPersistence).load(id).catch(() => null);
    if (!row) return undefined;
    const already = this.sessions.get(id);
    if (already) return already;
    const session = new ClientSession(row.id, row.serviceId, row.principalId, 'streamable-http', row.protocolVersion);
    // A row from before limits were kept has none of its own: the owner's current ones (applied by revive) hold.
    session.limitTo(row.scope ?? undefined);
    session.clientCapabilities = row.clientCapabilities ?? {};
    session.clientInfo = row.clientInfo;
    session.durable = true;
    return this.add(session, SHARED_SESSION_IDLE_MS);
  }
}
