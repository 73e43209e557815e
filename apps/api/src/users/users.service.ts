import { BadRequestException, ConflictException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ChangePasswordDto, CreateUserDto, UpdateUserDto, UserView } from '@mcp-proxy/shared/dto';
import { QueryFailedError, Repository } from 'typeorm';
import type { Principal, Role, UserDirectory } from '../core/auth/principal';
import { ServicesService } from '../processes/services.service';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

/** Named users: CRUD for admins, password checks for the login, and principals for their sessions. */
@Injectable()
export class UsersService implements UserDirectory {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly services: ServicesService,
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

  async update(id: string, dto: UpdateUserDto): Promise<UserView> {
    const entity = await this.find(id);
    if (dto.role !== undefined) entity.role = dto.role;
    if (dto.services !== undefined) entity.services = await this.serviceIds(dto.services);
    if (dto.password !== undefined) entity.passwordHash = await this.hasher.hash(dto.password);
    await this.users.save(entity);
    return toUserView(entity);
  }

  async remove(id: string): Promise<void> {
    await this.users.remove(await this.find(id));
  }

  async changeOwnPassword(id: string, dto: ChangePasswordDto): Promise<void> {
    const entity = await this.find(id);
    if (!(await this.hasher.verify(dto.currentPassword, entity.passwordHash))) {
      throw new UnauthorizedException('currentPassword is wrong');
    }
    entity.passwordHash = await this.hasher.hash(dto.newPassword);
    await this.users.save(entity);
  }

  async authenticate(username: string, password: string): Promise<{ userId: string; username: string; role: Role } | null> {
    const entity = await this.users.findOne({ where: { username } });
    if (!entity) {
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
