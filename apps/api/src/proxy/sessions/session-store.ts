import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ClientSession, RequestObserver, SessionTransport } from './client-session';

type CloseHook = (session: ClientSession) => void;

const REAP_INTERVAL_MS = 30_000;

/**
 * Live client sessions. A session is found only by its id together with the principal that
 * opened it: anyone else gets "not found", exactly like an unknown id.
 */
@Injectable()
export class SessionStore implements OnModuleDestroy {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly closeHooks = new Set<CloseHook>();
  private readonly idleLimits = new Map<string, number>();
  private readonly reaper = setInterval(() => this.reapIdle(), REAP_INTERVAL_MS).unref();
  private observer: RequestObserver | null = null;

  /** Every session, stored or throw-away, reports its answered requests here. */
  observe(observer: RequestObserver): void {
    this.observer = observer;
  }

  /** A session for one sessionless request (stateless or one-shot): never stored, gone with its request. */
  ephemeral(serviceId: string, principalId: string, protocolVersion: string): ClientSession {
    const session = new ClientSession(randomBytes(9).toString('base64url'), serviceId, principalId, 'stateless', protocolVersion);
    session.observer = this.observer;
    return session;
  }

  create(serviceId: string, principalId: string, transport: SessionTransport, protocolVersion: string, idleLimitMs: number): ClientSession {
    const session = new ClientSession(randomBytes(18).toString('base64url'), serviceId, principalId, transport, protocolVersion);
    session.observer = this.observer;
    this.sessions.set(session.id, session);
    this.idleLimits.set(session.id, idleLimitMs);
    return session;
  }

  find(id: string, principalId: string): ClientSession | undefined {
    const session = this.sessions.get(id);
    if (!session || session.principalId !== principalId) return undefined;
    session.lastActivity = Date.now();
    return session;
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

  onClose(hook: CloseHook): void {
    this.closeHooks.add(hook);
  }

  close(session: ClientSession): void {
    if (!this.sessions.delete(session.id)) return;
    this.idleLimits.delete(session.id);
    session.closed = true;
    for (const hook of this.closeHooks) hook(session);
  }

  closeAllOf(serviceId: string): void {
    for (const session of [...this.ofService(serviceId)]) this.close(session);
  }

  onModuleDestroy(): void {
    clearInterval(this.reaper);
    for (const session of [...this.sessions.values()]) this.close(session);
  }

  /** Ends sessions nobody has used for their idle limit; an open stream or a pending call counts as use. */
  reapIdle(now = Date.now()): void {
    for (const session of [...this.sessions.values()]) {
      const busy = session.inflightCount > 0 || (session.standalone !== null && !session.standalone.closed);
      if (busy) session.lastActivity = now;
      else if (now - session.lastActivity > (this.idleLimits.get(session.id) ?? Infinity)) this.close(session);
    }
  }
}
