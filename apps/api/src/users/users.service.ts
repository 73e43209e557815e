import { BadRequestException, ConflictException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import type { ChangePasswordDto, CreateUserDto, EndedSessionsView, SessionView, UpdateUserDto, UserView } from '@mcp-proxy/shared/dto';
import { QueryFailedError, Repository } from 'typeorm';
import { AUTH_EVENTS } from '../core/auth/auth-events';
import type { Principal, Role, UserDirectory } from '../core/auth/principal';
import { toSessionView } from '../core/auth/session-view';
import { UiSessionsService } from '../core/auth/ui-sessions.service';
import { ServicesService } from '../services/services.service';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { NO_PASSWORD } from './identity-users.service';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

/** Named users: CRUD for admins, password checks for the login, and principals for their sessions. */
@Injectable()
export class UsersService implements UserDirectory {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly services: ServicesService,
    private readonly sessions: UiSessionsService,
    private readonly events: EventEmitter2,
  ) {}

  async list(): Promise<UserView[]> {
    return (await this.users.find({ order: { username: 'ASC' } })).map(toUserView);
  }

  async get(id: string): Promise<UserView> {
    return toUserView(await this.find(id));
  }

  async create(dto: CreateUserDto): Promise<UserView> {
    const entity = this.users.create({
      username: dto.username,
      passwordHash: await this.hasher.hash(dto.password),
      role: dto.role,
      services: await this.serviceIds(dto.services),
      lastLoginAt: null,
    });
    await this.saveUnique(entity);
    return toUserView(entity);
  }

  /** A new role or a password reset ends the user's sessions; new service limits apply to them at once (and to their open streams within seconds). */
  async update(id: string, dto: UpdateUserDto): Promise<UserView> {
    const entity = await this.find(id);
    const roleChanged = dto.role !== undefined && dto.role !== entity.role;
    if (dto.role !== undefined) entity.role = dto.role;
    if (dto.services !== undefined) entity.services = await this.serviceIds(dto.services);
    if (dto.password !== undefined) entity.passwordHash = await this.hasher.hash(dto.password);
    await this.users.save(entity);
    if (roleChanged || dto.password !== undefined) await this.sessions.endAllOf(entity.id);
    else await this.events.emitAsync(AUTH_EVENTS.changed);
    return toUserView(entity);
  }

  async remove(id: string): Promise<void> {
    const entity = await this.find(id);
    const userId = entity.id;
    await this.users.remove(entity);
    await this.sessions.endAllOf(userId);
  }

  /** The session that changed the password stays; every other session of the user ends. */
  async changeOwnPassword(id: string, dto: ChangePasswordDto, currentSessionId?: string): Promise<void> {
    const entity = await this.find(id);
    if (!(await this.hasher.verify(dto.currentPassword, entity.passwordHash))) {
      throw new UnauthorizedException('currentPassword is wrong');
    }
    entity.passwordHash = await this.hasher.hash(dto.newPassword);
    await this.users.save(entity);
    await this.sessions.endAllOf(entity.id, currentSessionId);
  }

  async sessionsOf(id: string): Promise<SessionView[]> {
    const entity = await this.find(id);
    return (await this.sessions.listOf(entity.id)).map((row) => toSessionView(row, entity.username, undefined));
  }

  async endSessionsOf(id: string): Promise<EndedSessionsView> {
    const entity = await this.find(id);
    return { ended: await this.sessions.endAllOf(entity.id) };
  }

  async authenticate(username: string, password: string): Promise<{ userId: string; username: string; role: Role } | null> {
    const entity = await this.users.findOne({ where: { username } });
    // A user made by a sign-in through the provider has no password until an admin sets one.
    if (!entity || entity.passwordHash === NO_PASSWORD) {
      await this.hasher.burn(password);
      return null;
    }
    if (!(await this.hasher.verify(password, entity.passwordHash))) return null;
    await this.users.update({ id: entity.id }, { lastLoginAt: new Date() });
    return { userId: entity.id, username: entity.username, role: entity.role };
  }

  /** Looked up at every request: a deleted user is out, a changed role applies at once. */
  async principalFor(userId: string): Promise<Principal | null> {
    const entity = await this.users.findOne({ where: { id: userId } });
    if (!entity) return null;
    const principal: Principal = { kind: 'user', id: `user:${entity.id}`, role: entity.role, label: entity.username };
    if (entity.services) principal.scope = { services: await this.withNames(entity.services) };
    return principal;
  }

  /**
   * A user's limits carry the names of their services (`withNames`): a service renamed, created or
   * deleted changes what a verified user may reach, so verified users are forgotten everywhere. A
   * change relayed from another instance (`fromInstance`) was announced by that instance already.
   */
  @OnEvent(SERVICE_EVENTS.changed)
  async onServiceChanged(change: { fromInstance?: string }): Promise<void> {
    if (change.fromInstance) return;
    await this.events.emitAsync(AUTH_EVENTS.changed);
  }

  /** Stored by id (a rename keeps the limit); names given by the admin are resolved now. */
  private async serviceIds(keys: string[] | null | undefined): Promise<string[] | null> {
    if (!keys) return null;
    const ids: string[] = [];
    for (const key of keys) {
      try {
        ids.push((await this.services.get(key)).id);
      } catch (error) {
        if (error instanceof NotFoundException) throw new BadRequestException([`services: no service "${key}"`]);
        throw error;
      }
    }
    return [...new Set(ids)];
  }

  /** Routes name services by id or by name, so the scope carries both. */
  private async withNames(ids: string[]): Promise<string[]> {
    const all = await this.services.list();
    return all.filter((service) => ids.includes(service.id)).flatMap((service) => [service.id, service.name]);
  }

  private async find(id: string): Promise<UserEntity> {
    const entity = await this.users.findOne({ where: [{ id }, { username: id }] });
    if (!entity) throw new NotFoundException(`User "${id}" not found`);
    return entity;
  }

  private async saveUnique(entity: UserEntity): Promise<void> {
    try {
      await this.users.save(entity);
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        throw new ConflictException(`A user named "${entity.username}" already exists`);
      }
      throw error;
    }
  }
}

function toUserView(entity: UserEntity): UserView {
  return {
    id: entity.id,
    username: entity.username,
    role: entity.role,
    services: entity.services,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    lastLoginAt: entity.lastLoginAt ? new Date(entity.lastLoginAt).toISOString() : null,
  };
}
