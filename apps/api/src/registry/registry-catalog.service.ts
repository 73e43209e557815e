import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  RegistryServerPageView,
  RegistryServerView,
  RegistryServersQueryDto,
  RegistryStatusView,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { Repository } from 'typeorm';
import { Principal, roleAllows, scopeShowsService } from '../core/auth/principal';
import { ServicesService } from '../services/services.service';
import { RegistryHostCheck } from './host-check';
import { RegistryClient } from './registry-client';
import { askingRegistry } from './registry-errors';
import { RegistryInstallEntity } from './registry-install.entity';
import type { ServerRecord } from './server-record';
import type { ContainerEngineState } from './service-translation';

/** Creating a service: the admin role, and no service limits (a limited user may not add services). */
export function mayInstall(principal: Principal | undefined): boolean {
  return !!principal && roleAllows(principal.role, 'admin') && !principal.scope?.services;
}

/** The catalog as the portal shows it: registry entries with their install options, and which are installed here. */
@Injectable()
export class RegistryCatalog {
  constructor(
    private readonly client: RegistryClient,
    private readonly host: RegistryHostCheck,
    private readonly services: ServicesService,
    @InjectRepository(RegistryInstallEntity) private readonly installs: Repository<RegistryInstallEntity>,
  ) {}

  status(principal: Principal | undefined): RegistryStatusView {
    return {
      enabled: this.client.enabled,
      url: this.client.url,
      apiVersion: this.client.apiVersion,
      note: this.client.enabled ? null : 'No MCP Registry is configured (REGISTRY_URL is off): add servers by hand, or set REGISTRY_URL.',
      mayInstall: mayInstall(principal),
    };
  }

  async page(query: RegistryServersQueryDto, principal: Principal | undefined): Promise<RegistryServerPageView> {
    this.requireRegistry();
    const page = await askingRegistry(() => this.client.list(query));
    const [engine, installed] = await Promise.all([this.host.engine(), this.installedBy(principal)]);
    return {
      servers: await Promise.all(page.records.map((record) => this.view(record, engine, installed))),
      nextCursor: page.nextCursor,
    };
  }

  /** One version of an entry (`latest` for the newest), with its options: the install form of another version. */
  async entry(server: string, version: string, principal: Principal | undefined): Promise<RegistryServerView> {
    this.requireRegistry();
    const record = await askingRegistry(() => this.client.entry(server, version));
    const [engine, installed] = await Promise.all([this.host.engine(), this.installedBy(principal)]);
    return this.view(record, engine, installed);
  }

  private async view(
    record: ServerRecord,
    engine: ContainerEngineState,
    installed: Map<string, { service: string; version: string }[]>,
  ): Promise<RegistryServerView> {
    return {
      name: record.name,
      title: record.title,
      description: record.description,
      version: record.version,
      status: record.official.status,
      statusMessage: record.official.statusMessage,
      publishedAt: record.official.publishedAt,
      updatedAt: record.official.updatedAt,
      isLatest: record.official.isLatest,
      websiteUrl: safeLink(record.websiteUrl),
      repositoryUrl: safeLink(record.repositoryUrl),
      options: await this.host.options(record, engine),
      installedAs: installed.get(record.name) ?? [],
    };
  }

  requireRegistry(): void {
    if (!this.client.enabled) throw new NotFoundException('No MCP Registry is configured: set REGISTRY_URL to browse and install from one');
  }

  /** Entry name → the services installed from it that the principal may see. */
  private async installedBy(principal: Principal | undefined): Promise<Map<string, { service: string; version: string }[]>> {
    const rows = await this.installs.find();
    if (rows.length === 0) return new Map();
    const visible = new Map<string, ServiceView>(
      (await this.services.list()).filter((service) => scopeShowsService(principal, service)).map((service) => [service.id, service]),
    );
    const byServer = new Map<string, { service: string; version: string }[]>();
    for (const row of rows) {
      const service = visible.get(row.serviceId);
      if (!service) continue;
      byServer.set(row.server, [...(byServer.get(row.server) ?? []), { service: service.name, version: row.current.version }]);
    }
    return byServer;
  }
}

/** Links shown in the portal: http(s) only, never `javascript:` or the like from a record. */
function safeLink(url: string | null): string | null {
  return url && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
}
