import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CreateServiceDto, ProcessConfigView, ProxyConfigView, ServiceView, UpdateServiceDto } from '@mcp-proxy/shared/dto';
import { QueryFailedError, Repository } from 'typeorm';
import { SecretBox } from '../core/crypto/secret-box.service';
import { DesiredState, ServiceEntity } from './service.entity';
import { ServiceEvents } from './service-events';
import { ServiceRuntimes } from './service-runtimes';
import { toServiceView } from './service-view.mapper';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The registry of services: create, read, update, delete. Running them is the supervisor's job. */
@Injectable()
export class ServicesService {
  constructor(
    @InjectRepository(ServiceEntity) private readonly services: Repository<ServiceEntity>,
    private readonly secretBox: SecretBox,
    private readonly runtimes: ServiceRuntimes,
    private readonly events: ServiceEvents,
  ) {}

  async list(): Promise<ServiceView[]> {
    const entities = await this.services.find({ order: { name: 'ASC' } });
    return entities.map((entity) => this.view(entity));
  }

  async count(): Promise<number> {
    return this.services.count();
  }

  async get(idOrName: string): Promise<ServiceView> {
    return this.view(await this.find(idOrName));
  }

  async create(dto: CreateServiceDto): Promise<ServiceView> {
    const entity = this.services.create({
      name: dto.name,
      transport: dto.transport ?? 'stdio',
      process: processConfig(dto.process),
      proxy: proxyConfig(dto.name, dto.proxy),
      repository: dto.repository
        ? {
            url: dto.repository.url,
            branch: dto.repository.branch ?? 'main',
            entryPoint: dto.repository.entryPoint ?? null,
            allowScripts: dto.repository.allowScripts ?? false,
          }
        : null,
      environmentSealed: this.secretBox.encryptJson(dto.environment ?? {}),
      desiredState: 'stopped',
    });
    await this.saveUnique(entity);
    this.events.changed(entity.id);
    return this.view(entity);
  }

  async update(idOrName: string, dto: UpdateServiceDto): Promise<ServiceView> {
    const entity = await this.find(idOrName);
    if (dto.transport) entity.transport = dto.transport;
    if (dto.process) entity.process = processConfig({ ...entity.process, ...dto.process });
    if (dto.proxy) entity.proxy = proxyConfig(entity.name, { ...entity.proxy, ...dto.proxy });
    if (dto.repository) {
      entity.repository = {
        url: dto.repository.url,
        branch: dto.repository.branch ?? entity.repository?.branch ?? 'main',
        entryPoint: dto.repository.entryPoint ?? entity.repository?.entryPoint ?? null,
        allowScripts: dto.repository.allowScripts ?? entity.repository?.allowScripts ?? false,
      };
    }
    if (dto.environment) entity.environmentSealed = this.secretBox.encryptJson(dto.environment);
    await this.saveUnique(entity);
    this.events.changed(entity.id);
    return this.view(entity);
  }

  async remove(idOrName: string): Promise<void> {
    const entity = await this.find(idOrName);
    const { id } = entity;
    await this.services.remove(entity);
    this.events.changed(id);
  }

  /** The stored service, for the supervisor (which needs its process settings); 404 when unknown. */
  entityOf(idOrName: string): Promise<ServiceEntity> {
    return this.find(idOrName);
  }

  /** Remembered so the service comes back (or stays down) after the proxy restarts. Not a settings change: updatedAt stays. */
  async setDesiredState(serviceId: string, desiredState: DesiredState): Promise<void> {
    await this.services.update({ id: serviceId }, { desiredState, updatedAt: () => '"updatedAt"' });
  }

  async listDesiredRunning(): Promise<ServiceEntity[]> {
    return this.services.find({ where: { desiredState: 'running' }, order: { name: 'ASC' } });
  }

  /** The view of an entity the caller already holds, without a query (the supervisor, at every status change). */
  viewOf(entity: ServiceEntity): ServiceView {
    return this.view(entity);
  }

  /** Decrypted environment, for the supervisor only: never returned by the API. */
  async environmentOf(idOrName: string): Promise<Record<string, string>> {
    return this.secretBox.decryptJson((await this.find(idOrName)).environmentSealed);
  }

  private async find(idOrName: string): Promise<ServiceEntity> {
    const entity = await this.services.findOne({
      where: UUID.test(idOrName) ? [{ id: idOrName }, { name: idOrName }] : { name: idOrName },
    });
    if (!entity) throw new NotFoundException(`Service "${idOrName}" not found`);
    return entity;
  }

  private async saveUnique(entity: ServiceEntity): Promise<void> {
    const others = await this.services.find({ select: { id: true, name: true, proxy: true } });
    const pathOwner = others.find((other) => other.id !== entity.id && other.proxy.path === entity.proxy.path);
    if (pathOwner) throw new ConflictException(`proxy.path ${entity.proxy.path} is already used by "${pathOwner.name}"`);
    try {
      await this.services.save(entity);
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        throw new ConflictException(`A service named "${entity.name}" already exists`);
      }
      throw error;
    }
  }

  private view(entity: ServiceEntity): ServiceView {
    const environment = this.secretBox.decryptJson<Record<string, string>>(entity.environmentSealed);
    return toServiceView(entity, Object.keys(environment), this.runtimes.get(entity.id));
  }
}

/** Defaults for every setting, applied on create and again on update (so older rows gain new keys). */
function processConfig(input: Partial<ProcessConfigView> | undefined): ProcessConfigView {
  return {
    command: input?.command ?? null,
    args: input?.args ?? [],
    cwd: input?.cwd ?? null,
    autoRestart: input?.autoRestart ?? true,
    maxRestarts: input?.maxRestarts ?? 5,
    port: input?.port ?? null,
    isolation: input?.isolation ?? 'shared',
    restartWindowSec: input?.restartWindowSec ?? 300,
    healthCheckIntervalSec: input?.healthCheckIntervalSec ?? 30,
    memoryLimitMb: input?.memoryLimitMb ?? null,
    maxSessions: input?.maxSessions ?? 20,
    sessionIdleTimeoutSec: input?.sessionIdleTimeoutSec ?? 900,
  };
}

function proxyConfig(name: string, input: Partial<ProxyConfigView> | undefined): ProxyConfigView {
  return {
    path: input?.path ?? `/mcp/${name}`,
    rateLimit: input?.rateLimit ?? 100,
    cache: input?.cache ?? true,
    toolResultTtlSec: input?.toolResultTtlSec ?? 0,
    requestTimeoutSec: input?.requestTimeoutSec ?? 60,
    responseMode: input?.responseMode ?? 'auto',
    auth: input?.auth ?? 'apiKey',
  };
}
