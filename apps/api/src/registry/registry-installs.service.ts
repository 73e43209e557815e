import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CreateServiceDto,
  InstallFromRegistryDto,
  RegistryInstallView,
  ServiceView,
  UpdateFromRegistryDto,
  UpdateServiceDto,
} from '@mcp-proxy/shared/dto';
import { Repository } from 'typeorm';
import { Principal, scopeShowsService } from '../core/auth/principal';
import { inBackground } from '../core/logging/background';
import { validatePlain } from '../core/http/validation';
import { ServiceCommandCheck } from '../services/service-command-check';
import { ServicesService } from '../services/services.service';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { RegistryHostCheck } from './host-check';
import { headerSecretVariable } from './install-fields';
import { RegistryClient } from './registry-client';
import { askingRegistry } from './registry-errors';
import { InstalledRelease, RegistryInstallEntity } from './registry-install.entity';
import { mayInstall } from './registry-catalog.service';
import type { ServerRecord } from './server-record';
import { defaultServiceName, describeOptions, optionFields, translate, Translation } from './service-translation';
import { isNewerVersion } from './versions';

export interface InstallResult {
  service: ServiceView;
  install: RegistryInstallView;
}

/**
 * Installing a registry entry as a service, updating it to another version (the one it ran is kept) and
 * rolling back to that one. The service itself is created and changed through ServicesService, so every
 * rule of the services API (names, paths, environment, remote URLs) holds for it too.
 */
@Injectable()
export class RegistryInstalls {
  constructor(
    private readonly client: RegistryClient,
    private readonly host: RegistryHostCheck,
    private readonly commandCheck: ServiceCommandCheck,
    private readonly services: ServicesService,
    private readonly supervisor: ProcessSupervisor,
    @InjectRepository(RegistryInstallEntity) private readonly installs: Repository<RegistryInstallEntity>,
  ) {}

  async install(request: InstallFromRegistryDto, caller: Principal): Promise<InstallResult> {
    if (!mayInstall(caller)) {
      throw new ForbiddenException('Installing creates a service: it needs the admin role without service limits');
    }
    const registryUrl = this.requireRegistry();
    const record = await askingRegistry(() => this.client.entry(request.server, request.version ?? 'latest'));
    const engine = await this.host.engine();
    const option = request.option ?? (await this.defaultOption(record, engine));
    const name = request.name ?? defaultServiceName(record.name);
    const translation = translate(record, option, name, request.values ?? {}, engine);
    const dto = checkedRequest(translation);
    await this.commandCheck.onCreate(dto);
    const created = await this.services.create(dto);
    const row = await this.installs.save(
      this.installs.create({
        serviceId: created.id,
        registryUrl,
        server: record.name,
        current: release(record, option, translation),
        previous: null,
      }),
    );
    const service = request.start ? await this.supervisor.start(created.id) : created;
    return { service, install: this.view(row, service.name, null) };
  }

  /** To another version (default the latest) of the same entry and option; the version it ran becomes the rollback. */
  async update(serviceIdOrName: string, request: UpdateFromRegistryDto): Promise<InstallResult> {
    this.requireRegistry();
    const { row, service } = await this.installOf(serviceIdOrName);
    const record = await askingRegistry(() => this.client.entry(row.server, request.version ?? 'latest'));
    if (record.version === row.current.version && !request.values) {
      throw new ConflictException(`"${service.name}" already runs ${row.server} ${record.version}`);
    }
    const engine = await this.host.engine();
    const option = describeOptions(record, engine).find((candidate) => candidate.id === row.current.option);
    // Options are known by their place in the record: a version that put another kind there is not the same server.
    if (!option || option.kind !== row.current.kind) {
      throw new ConflictException(
        `${row.server} ${record.version} has no ${row.current.kind} ${row.current.option.startsWith('remote') ? 'remote' : 'package'} at ${row.current.option}: install it as a new service instead`,
      );
    }
    const environment = await this.services.environmentOf(service.id);
    const fields = optionFields(record, row.current.option) ?? [];
    const values = {
      ...row.current.inputs,
      ...storedSecrets(
        fields.filter((field) => field.secret).map((field) => field.key),
        environment,
      ),
      ...request.values,
    };
    const translation = translate(record, row.current.option, service.name, values, engine);
    const dto = checkedRequest(translation);
    const next = release(record, row.current.option, translation);
    const updated = await this.apply(service.id, next, { ...environment, ...dto.environment });
    row.previous = row.current;
    row.current = next;
    await this.installs.save(row);
    return { service: updated, install: this.view(row, updated.name, null) };
  }

  /** Back to the version before the last update; again undoes the rollback. */
  async rollback(serviceIdOrName: string): Promise<InstallResult> {
    const { row, service } = await this.installOf(serviceIdOrName);
    if (!row.previous) throw new ConflictException(`"${service.name}" has no earlier version of ${row.server} to go back to`);
    const back = row.previous;
    const updated = await this.apply(service.id, back, null);
    row.previous = row.current;
    row.current = back;
    await this.installs.save(row);
    return { service: updated, install: this.view(row, updated.name, null) };
  }

  /** The installed services the principal may see, each with the registry's latest version when it can be asked. */
  async list(principal: Principal | undefined): Promise<RegistryInstallView[]> {
    const rows = await this.installs.find({ order: { createdAt: 'ASC' } });
    const services = new Map((await this.services.list()).map((service) => [service.id, service]));
    const visible = rows.filter((row) => {
      const service = services.get(row.serviceId);
      return service && scopeShowsService(principal, service);
    });
    const latest = new Map<string, Promise<{ version: string | null; error: string | null }>>();
    for (const row of visible) if (!latest.has(row.server)) latest.set(row.server, this.latestOf(row.server));
    return Promise.all(
      visible.map(async (row) => this.view(row, services.get(row.serviceId)?.name ?? row.serviceId, await latest.get(row.server))),
    );
  }

  /** A deleted service takes its install record along (on the instance that deleted it; others hear it relayed). */
  @OnEvent(SERVICE_EVENTS.changed)
  onServiceChanged(change: { serviceId: string; fromInstance?: string }): void {
    if (change.fromInstance) return;
    inBackground(this.forgetIfRemoved(change.serviceId), 'RegistryInstalls', `Forgetting the install of ${change.serviceId}`);
  }

  private async forgetIfRemoved(serviceId: string): Promise<void> {
    const row = await this.installs.findOne({ where: { serviceId } });
    if (!row) return;
    const exists = await this.services.entityOf(serviceId).then(
      () => true,
      (error: unknown) => (error instanceof NotFoundException ? false : Promise.reject(error)),
    );
    if (!exists) await this.installs.delete({ serviceId });
  }

  private async latestOf(server: string): Promise<{ version: string | null; error: string | null }> {
    if (!this.client.enabled) return { version: null, error: 'no registry is configured (REGISTRY_URL)' };
    try {
      return { version: (await this.client.entry(server, 'latest')).version, error: null };
    } catch (error) {
      return { version: null, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private view(
    row: RegistryInstallEntity,
    serviceName: string,
    latest: { version: string | null; error: string | null } | undefined | null,
  ): RegistryInstallView {
    const latestVersion = latest?.version ?? null;
    return {
      serviceId: row.serviceId,
      serviceName,
      server: row.server,
      version: row.current.version,
      option: row.current.option,
      kind: row.current.kind,
      installedAt: row.createdAt.toISOString(),
      previousVersion: row.previous?.version ?? null,
      latestVersion,
      updateAvailable: latestVersion !== null && isNewerVersion(latestVersion, row.current.version),
      checkError: latest?.error ?? null,
    };
  }

  /** Puts a release's command (or remote) on the service and restarts it if it runs; `environment` replaces the service's when given. */
  private async apply(serviceId: string, target: InstalledRelease, environment: Record<string, string> | null): Promise<ServiceView> {
    const change: UpdateServiceDto = { transport: target.service.transport };
    if (target.service.process) change.process = { command: target.service.process.command, args: target.service.process.args };
    if (target.service.remote) change.remote = target.service.remote;
    if (environment) change.environment = environment;
    // As a PATCH of the command would be: refused when this host cannot run it (uv gone, no engine).
    await this.commandCheck.onUpdate(await this.services.get(serviceId), change);
    await this.services.update(serviceId, change);
    return this.supervisor.applySettings(serviceId, { restart: true });
  }

  private async installOf(serviceIdOrName: string): Promise<{ row: RegistryInstallEntity; service: ServiceView }> {
    const service = await this.services.get(serviceIdOrName);
    const row = await this.installs.findOne({ where: { serviceId: service.id } });
    if (!row) throw new NotFoundException(`"${service.name}" was not installed from an MCP Registry`);
    return { row, service };
  }

  private async defaultOption(record: ServerRecord, engine: Parameters<typeof describeOptions>[1]): Promise<string> {
    const options = await this.host.options(record, engine);
    const first = options.find((option) => option.installable);
    if (first) return first.id;
    const reasons = options.map((option) => `${option.id}: ${option.reason}`).join('; ');
    throw new ConflictException(`No way to install ${record.name} here${reasons ? `: ${reasons}` : ': it lists no package and no remote'}`);
  }

  private requireRegistry(): string {
    if (!this.client.url) throw new NotFoundException('No MCP Registry is configured: set REGISTRY_URL to install from one');
    return this.client.url;
  }
}

/** The translation as a create request, checked by the services API's own rules; 400 naming every problem. */
function checkedRequest(translation: Translation): CreateServiceDto & { environment: Record<string, string> } {
  if (translation.problems.length > 0) throw new BadRequestException(translation.problems);
  const { instance, problems } = validatePlain(CreateServiceDto, translation.service);
  if (problems.length > 0) throw new BadRequestException(problems);
  return { ...instance, environment: translation.service.environment ?? {} };
}

function release(record: ServerRecord, option: string, translation: Translation): InstalledRelease {
  const { transport, process, remote } = translation.service;
  const kind = describeOptions(record, { engine: null, reason: null }).find((candidate) => candidate.id === option)?.kind ?? 'other';
  return { version: record.version, option, kind, inputs: translation.inputs, service: { transport, process, remote } };
}

/** Secret values entered at install are not kept with the release: they are read back from where they live, the environment. */
function storedSecrets(keys: string[], environment: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of keys) {
    const variable = key.startsWith('env.') ? key.slice('env.'.length) : key.startsWith('header.') ? headerSecretVariable(key) : null;
    if (variable && environment[variable] !== undefined) values[key] = environment[variable];
  }
  return values;
}
