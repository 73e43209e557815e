import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { hashToken } from '../core/auth/token-hash';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/time/clock';
import { UpstreamElicitationEntity } from './upstream-auth.entities';

const ELICITATION_TTL_MS = 10 * 60 * 1000;
export const ELICITATIONS_PATH = '/api/upstream-oauth/elicitations';

/** Announced when a connection started from an elicitation is made: the session that asked is told. */
export const UPSTREAM_OAUTH_EVENTS = { elicitationComplete: 'upstream-oauth.elicitation-complete' } as const;

export interface ElicitationComplete {
  serviceId: string;
  sessionId: string;
  elicitationId: string;
}

/** The params of a URL-mode elicitation (MCP 2025-11-25), as sent in a `-32042` error's `data.elicitations`. */
export interface UrlElicitation {
  mode: 'url';
  elicitationId: string;
  url: string;
  message: string;
}

export interface OpenedElicitation {
  elicitationId: string;
  serviceId: string;
  principalKey: string;
  sessionId: string;
}

/**
 * URL-mode elicitations for a caller with no upstream OAuth connection. The URL names a random id (only its
 * hash is stored, in the database every instance reads): it is no credential, since whoever opens it must
 * be signed in as the principal it was made for (the spec's phishing rule), and it starts one connection,
 * once, within 10 minutes. Only principals who can sign in to the portal get one: a named user, or the
 * admin (the API key's UI sessions); a token or grant without an owner keeps the tool error. Each refused
 * call gets a link of its own (expired ones are swept as new ones are made).
 */
@Injectable()
export class UpstreamElicitations {
  constructor(
    @InjectRepository(UpstreamElicitationEntity) private readonly rows: Repository<UpstreamElicitationEntity>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {}

  static canSignIn(principalKey: string): boolean {
    return principalKey === 'admin' || principalKey.startsWith('user:');
  }

  async offer(service: { id: string; name: string }, principalKey: string, sessionId: string): Promise<UrlElicitation | null> {
    const base = this.config.get('PUBLIC_URL');
    if (!base || !UpstreamElicitations.canSignIn(principalKey)) return null;
    const now = this.clock.now();
    await this.rows.delete({ expiresAt: LessThan(new Date(now)) });
    const elicitationId = randomBytes(24).toString('base64url');
    const expiresAt = now + ELICITATION_TTL_MS;
    await this.rows.insert({
      idHash: hashToken(elicitationId),
      serviceId: service.id,
      principalKey,
      sessionId,
      expiresAt: new Date(expiresAt),
      usedAt: null,
    });
    return {
      mode: 'url',
      elicitationId,
      url: `${base}${ELICITATIONS_PATH}/${elicitationId}`,
      message: `"${service.name}" acts on your own account there: open this page to connect it, then call again.`,
    };
  }

  /** The unexpired, unused elicitation of an id (not yet taken). */
  async find(elicitationId: string): Promise<OpenedElicitation | null> {
    const row = await this.rows.findOne({
      where: { idHash: hashToken(elicitationId), usedAt: IsNull(), expiresAt: MoreThan(new Date(this.clock.now())) },
    });
    return row ? { elicitationId, serviceId: row.serviceId, principalKey: row.principalKey, sessionId: row.sessionId } : null;
  }

  /** Marks it used; false when another request took it first. */
  async take(elicitationId: string): Promise<boolean> {
    const taken = await this.rows.update({ idHash: hashToken(elicitationId), usedAt: IsNull() }, { usedAt: new Date(this.clock.now()) });
    return (taken.affected ?? 0) > 0;
  }

  /** The connection it started is made: its session is told (notifications/elicitation/complete). */
  complete(serviceId: string, sessionId: string, elicitationId: string): void {
    const news: ElicitationComplete = { serviceId, sessionId, elicitationId };
    this.events.emit(UPSTREAM_OAUTH_EVENTS.elicitationComplete, news);
  }
}
