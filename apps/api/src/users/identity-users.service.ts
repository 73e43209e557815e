import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { USERNAME_PATTERN } from '@mcp-proxy/shared/dto';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { AUTH_EVENTS } from '../core/auth/auth-events';
import type { Role } from '../core/auth/principal';
import { ServicesService } from '../services/services.service';
import { UserIdentityEntity } from './user-identity.entity';
import { UserEntity } from './user.entity';

/** Stored as the password hash of a user made by a sign-in through a provider: it matches no password. */
export const NO_PASSWORD = '!';

/** Who a provider says signed in, and what the claim mappings gave them. */
export interface ProviderSignIn {
  issuer: string;
  subject: string;
  /** A name to show (preferred_username, e-mail); only a suggestion for a new user's name. */
  suggestedName: string | null;
  role: Role;
  /** Service names or ids from the services claim; null for all; undefined when no claim is configured (limits stay as set). */
  services: string[] | null | undefined;
}

export type ProviderSignInResult =
  | { ok: true; userId: string; username: string; role: Role; created: boolean }
  | { ok: false; reason: 'unknown-user' };

/**
 * Users who sign in through an OpenID provider: found by issuer and subject, created at their first
 * sign-in when allowed, and given the role and limits of their claims at each sign-in.
 */
@Injectable()
export class IdentityUsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(UserIdentityEntity) private readonly identities: Repository<UserIdentityEntity>,
    private readonly services: ServicesService,
    private readonly events: EventEmitter2,
  ) {}

  async signIn(who: ProviderSignIn, autoCreate: boolean): Promise<ProviderSignInResult> {
    const services = who.services === undefined ? undefined : await this.serviceIds(who.services);
    const link = await this.identities.findOne({ where: { issuer: who.issuer, subject: who.subject } });
    const user = link ? await this.users.findOne({ where: { id: link.userId } }) : null;
    if (user) {
      const changed = user.role !== who.role || (services !== undefined && JSON.stringify(user.services) !== JSON.stringify(services));
      user.role = who.role;
      if (services !== undefined) user.services = services;
      user.lastLoginAt = new Date();
      await this.users.save(user);
      // Open sessions of this user take the new role and limits at once (the role is read at every request).
      if (changed) await this.events.emitAsync(AUTH_EVENTS.changed);
      return { ok: true, userId: user.id, username: user.username, role: user.role, created: false };
    }
    if (!autoCreate) return { ok: false, reason: 'unknown-user' };
    // The link of a deleted user (where the database does not cascade) must not block a fresh start.
    if (link) await this.identities.delete({ id: link.id });
    const created = await this.create(who, services ?? null);
    return { ok: true, userId: created.id, username: created.username, role: created.role, created: true };
  }

  /**
   * Links a provider identity to an existing user (the user asked for it, signed in, from their Account page).
   * An identity already linked to someone else stays theirs; linking it again to the same user changes nothing.
   */
  async link(userId: string, issuer: string, subject: string): Promise<{ outcome: 'linked' | 'taken' | 'no-user'; username?: string }> {
    const user = await this.users.findOne({ where: { id: userId } });
    if (!user) return { outcome: 'no-user' };
    const existing = await this.identities.findOne({ where: { issuer, subject } });
    if (existing && existing.userId !== userId && (await this.users.exist({ where: { id: existing.userId } }))) return { outcome: 'taken' };
    if (existing?.userId !== userId) {
      // A link left by a deleted user (where the database does not cascade) gives way.
      if (existing) await this.identities.delete({ id: existing.id });
      await this.identities.insert(this.identities.create({ userId, issuer, subject }));
    }
    return { outcome: 'linked', username: user.username };
  }

  /**
   * A new user with a name of their own: never an existing local user's, even when the names or e-mails match.
   * Two plain inserts, the user taken back when its link cannot be made (the same person signing in twice at once):
   * on SQLite every query shares one connection, so an explicit transaction here would take in, or be ended by,
   * whatever else the process writes meanwhile.
   */
  private async create(who: ProviderSignIn, services: string[] | null): Promise<UserEntity> {
    const username = await this.freeUsername(baseUsername(who));
    const user = this.users.create({ username, passwordHash: NO_PASSWORD, role: who.role, services, lastLoginAt: new Date() });
    await this.users.insert(user);
    try {
      await this.identities.insert(this.identities.create({ userId: user.id, issuer: who.issuer, subject: who.subject }));
    } catch (error) {
      await this.users.delete({ id: user.id });
      throw error;
    }
    return user;
  }

  private async freeUsername(base: string): Promise<string> {
    for (let attempt = 1; attempt <= 50; attempt++) {
      const suffix = attempt === 1 ? '' : `-${attempt}`;
      const candidate = `${base.slice(0, 64 - suffix.length)}${suffix}`;
      if (!(await this.users.exist({ where: { username: candidate } }))) return candidate;
    }
    return `${base.slice(0, 51)}-${createHash('sha256').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 12)}`;
  }

  /** Names or ids from a claim, as ids; `*` (or null) means all; names no service has are left out. */
  private async serviceIds(keys: string[] | null): Promise<string[] | null> {
    if (keys === null || keys.includes('*')) return null;
    const all = await this.services.list();
    return all.filter((service) => keys.includes(service.id) || keys.includes(service.name)).map((service) => service.id);
  }
}

/** preferred_username or e-mail made into a valid user name; the subject's hash when nothing usable is left. */
function baseUsername(who: ProviderSignIn): string {
  const cleaned = (who.suggestedName ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  if (USERNAME_PATTERN.test(cleaned)) return cleaned;
  return `user-${createHash('sha256').update(`${who.issuer} ${who.subject}`).digest('hex').slice(0, 12)}`;
}
