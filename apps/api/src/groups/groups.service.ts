import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import type { CreateGroupDto, GroupMemberDto, GroupSettingsView, GroupView, UpdateGroupDto } from '@mcp-proxy/shared/dto';
import { QueryFailedError, Repository } from 'typeorm';
import { ServicesService } from '../services/services.service';
import { GroupEntity, StoredMember } from './group.entity';

export const GROUP_CHANGED = 'group.changed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The registry of groups: create, read, update, delete. Serving them is the proxy's job. */
@Injectable()
export class GroupsService {
  constructor(
    @InjectRepository(GroupEntity) private readonly groups: Repository<GroupEntity>,
    private readonly services: ServicesService,
    private readonly events: EventEmitter2,
  ) {}

  async list(): Promise<GroupView[]> {
    const [entities, names] = await Promise.all([this.groups.find({ order: { name: 'ASC' } }), this.serviceNames()]);
    return entities.map((entity) => toView(entity, names));
  }

  async get(idOrName: string): Promise<GroupView> {
    return toView(await this.find(idOrName), await this.serviceNames());
  }

  async create(dto: CreateGroupDto): Promise<GroupView> {
    const entity = this.groups.create({
      name: dto.name,
      enabled: dto.enabled ?? true,
      separator: dto.separator ?? '__',
      members: await this.resolveMembers(dto.members),
      allow: dto.allow ?? [],
      deny: dto.deny ?? [],
      settings: settings(dto.settings),
    });
    await this.save(entity);
    return this.get(entity.id);
  }

  async update(idOrName: string, dto: UpdateGroupDto): Promise<GroupView> {
    const entity = await this.find(idOrName);
    if (dto.enabled !== undefined) entity.enabled = dto.enabled;
    if (dto.separator !== undefined) entity.separator = dto.separator;
    if (dto.members) entity.members = await this.resolveMembers(dto.members);
    if (dto.allow) entity.allow = dto.allow;
    if (dto.deny) entity.deny = dto.deny;
    if (dto.settings) entity.settings = settings({ ...entity.settings, ...dto.settings });
    await this.save(entity);
    return this.get(entity.id);
  }

  async remove(idOrName: string): Promise<void> {
    const entity = await this.find(idOrName);
    await this.groups.remove(entity);
    this.events.emit(GROUP_CHANGED, { groupId: entity.id });
  }

  /** Members refer to services by id; a name in the request is resolved once, here. */
  private async resolveMembers(members: GroupMemberDto[]): Promise<StoredMember[]> {
    const resolved: StoredMember[] = [];
    for (const [index, member] of members.entries()) {
      let serviceId: string;
      try {
        serviceId = (await this.services.get(member.service)).id;
      } catch (error) {
        if (error instanceof NotFoundException) throw new BadRequestException([`members.${index}.service: no service "${member.service}"`]);
        throw error;
      }
      if (resolved.some((other) => other.serviceId === serviceId))
        throw new BadRequestException([`members.${index}.service: "${member.service}" is listed twice`]);
      resolved.push({ serviceId, allow: member.allow ?? [], deny: member.deny ?? [], renames: member.renames ?? {} });
    }
    return resolved;
  }

  private async find(idOrName: string): Promise<GroupEntity> {
    const entity = await this.groups.findOne({ where: UUID.test(idOrName) ? [{ id: idOrName }, { name: idOrName }] : { name: idOrName } });
    if (!entity) throw new NotFoundException(`Group "${idOrName}" not found`);
    return entity;
  }

  private async save(entity: GroupEntity): Promise<void> {
    try {
      await this.groups.save(entity);
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message))
        throw new ConflictException(`A group named "${entity.name}" already exists`);
      throw error;
    }
    this.events.emit(GROUP_CHANGED, { groupId: entity.id });
  }

  private async serviceNames(): Promise<Map<string, string>> {
    return new Map((await this.services.list()).map((service) => [service.id, service.name]));
  }
}

function settings(input: Partial<GroupSettingsView> | undefined): GroupSettingsView {
  return {
    rateLimit: input?.rateLimit ?? 0,
    requestTimeoutSec: input?.requestTimeoutSec ?? 60,
    memberTimeoutSec: input?.memberTimeoutSec ?? 5,
    responseMode: input?.responseMode ?? 'auto',
    toolSearch: input?.toolSearch ?? false,
  };
}

export function toView(entity: GroupEntity, serviceNames: Map<string, string>): GroupView {
  return {
    id: entity.id,
    name: entity.name,
    path: `/mcp/g/${entity.name}`,
    enabled: entity.enabled,
    separator: entity.separator,
    // A member whose service was deleted drops out of the group.
    members: entity.members
      .filter((member) => serviceNames.has(member.serviceId))
      .map((member) => ({ ...member, serviceName: serviceNames.get(member.serviceId) as string })),
    allow: entity.allow,
    deny: entity.deny,
    settings: entity.settings,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
