import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AUTH_EVENTS, AuthLogin, AuthRefusal } from '../core/auth/auth-events';
import { AuditService } from './audit.service';

/** Logins and refused requests, reported by the core's auth as events. */
@Injectable()
export class AuthAuditListener {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(AUTH_EVENTS.login)
  onLogin(login: AuthLogin): void {
    void this.audit.record({
      action: 'auth.login',
      outcome: login.ok ? 'ok' : 'refused',
      actor: login.actor ? { id: login.actor, kind: login.actorKind } : null,
      address: login.address,
      detail: login.reason ? { method: login.method, reason: login.reason } : { method: login.method },
    });
  }

  @OnEvent(AUTH_EVENTS.refused)
  onRefused(refusal: AuthRefusal): void {
    void this.audit.record({
      action: `${refusal.method} ${refusal.path}`,
      outcome: 'refused',
      actor: refusal.actor ?? null,
      target: refusal.target ?? null,
      address: refusal.address,
      detail: { status: refusal.status, reason: refusal.reason },
    });
  }
}
