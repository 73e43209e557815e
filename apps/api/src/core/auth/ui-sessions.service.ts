import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { createHmac, randomUUID } from 'node:crypto';
import { LessThanOrEqual, Not, Repository } from 'typeorm';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { AUTH_EVENTS } from './auth-events';
import { UiSessionEntity } from './ui-session.entity';

/** Writing "last used" on every request would turn reads into writes; once a minute is enough to show. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The subject of sessions opened with the API key (a user's sessions carry the user's id). */
export const ADMIN_SUBJECT = 'admin';

/** Where a sign-in came from, shown in the session list so its owner can tell their devices apart. */
export interface SessionOrigin {
  address: string | null;
  userAgent: string | null;
}

/**
 * UI sessions as database rows, shared by every instance. A session token is honoured only while
 * its row stands: CredentialRegistry reads it whenever its cache does not know the token, and ending
 * a session is news (AUTH_EVENTS.changed, awaited) that empties that cache on every instance.
 */
@Injectable()
export class UiSessionsService implements OnModuleInit {
  /** Of the key this proxy runs with: sessions opened with another key are not honoured. */
  private readonly keyFingerprint: string;

  constructor(
    @InjectRepository(UiSessionEntity)
    private readonly sessions: Repository<UiSessionEntity>,
    @Inject(APP_SECRETS) secrets: AppSecrets,
    private readonly events: EventEmitter2,
  ) {
    this.keyFingerprint = createHmac('sha256', secrets.jwtSecret).update(`api-key:${secrets.apiKey}`).digest('hex');
  }

  /** Sessions of a key the proxy no longer runs with are gone for good: swept at start. */
  async onModuleInit(): Promise<void> {
    await this.sessions
      .delete({
        subject: ADMIN_SUBJECT,
        keyFingerprint: Not(this.keyFingerprint),
      })
      .catch(() => undefined);
  }

  /** Records a new sign-in and returns its id (the token's `jti`); expired rows are swept on the way. */
  async open(subject: string, origin: SessionOrigin, expiresAt: Date): Promise<string> {
    const now = new Date();
    await this.sessions.delete({ expiresAt: LessThanOrEqual(now) });
    const id = randomUUID();
    await this.sessions.insert({
      id,
      subject,
      keyFingerprint: subject === ADMIN_SUBJECT ? this.keyFingerprint : null,
      address: origin.address?.slice(0, 64) ?? null,
      userAgent: origin.userAgent?.slice(0, 255) ?? null,
      // Set here rather than by the database's clock, so a new session never reads as used before it began.
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
    });
    return id;
  }

  /** Whether the session still stands for this subject (not ended, not expired, opened with the current key). */
  async isOpen(id: string, subject: string, now = new Date()): Promise<boolean> {
    const row = await this.sessions.findOne({ where: { id } });
    if (!row || !this.honoured(row, now) || row.subject !== subject) return false;
    this.touch(row, now);
    return true;
  }

  /** The subject's sessions that still stand, newest first. */
  async listOf(subject: string, now = new Date()): Promise<UiSessionEntity[]> {
    const rows = await this.sessions.find({
      where: { subject },
      order: { createdAt: 'DESC' },
    });
    return rows.filter((row) => this.honoured(row, now));
  }

  async find(id: string): Promise<UiSessionEntity | null> {
    const row = await this.sessions.findOne({ where: { id } });
    return row && this.honoured(row, new Date()) ? row : null;
  }

  /** Ends one session; false when there was none. */
  async end(id: string): Promise<boolean> {
    const result = await this.sessions.delete({ id });
    const ended = (result.affected ?? 0) > 0;
    if (ended) await this.events.emitAsync(AUTH_EVENTS.changed);
    return ended;
  }

  /** Ends every session of a subject (but `except`, the one asking); returns how many still stood. */
  async endAllOf(subject: string, except?: string): Promise<number> {
    const standing = (await this.listOf(subject)).filter((row) => row.id !== except).length;
    await this.sessions.delete(except ? { subject, id: Not(except) } : { subject });
    await this.events.emitAsync(AUTH_EVENTS.changed);
    return standing;
  }

  private honoured(row: UiSessionEntity, now: Date): boolean {
    if (row.expiresAt.getTime() <= now.getTime()) return false;
    return row.subject !== ADMIN_SUBJECT || row.keyFingerprint === this.keyFingerprint;
  }

  private touch(row: UiSessionEntity, now: Date): void {
    if (now.getTime() - row.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    // Not awaited: the request does not wait for bookkeeping, and a failure here must not refuse it.
    this.sessions.update({ id: row.id }, { lastUsedAt: now }).catch(() => undefined);
  }
}
