import { BadRequestException, Injectable } from '@nestjs/common';
import { MASKED_VALUE } from '@mcp-proxy/shared/dto';
import type {
  CreateGroupDto,
  CreateServiceDto,
  GroupView,
  RemoteConfigDto,
  ServiceView,
  UpdateGroupDto,
  UpdateServiceDto,
} from '@mcp-proxy/shared/dto';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { Principal, scopeShowsGroup, scopeShowsService } from '../core/auth/principal';
import { hostEnvironment } from '../core/config/host-environment';
import { DeployService } from '../deploy/deploy.service';
import { GroupsService } from '../groups/groups.service';
import { SettingsService } from '../settings/settings.service';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ServicesService } from '../services/services.service';
import { ENV_REFERENCE, parseConfigDocument } from './config-document';

export type ChangeKind = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  dryRun: boolean;
  services: { name: string; change: ChangeKind }[];
  groups: { name: string; change: ChangeKind }[];
  /** Runtime settings, by key. */
  settings: { name: string; change: ChangeKind }[];
}

/** `secrets: true` writes the sealed values (environment, literal remote headers) in clear: admins only, audited by the caller. */
export interface ExportOptions {
  secrets?: boolean;
}

const EXPORT_HEADER = `# MCP Reverse Proxy configuration. Secret values are never written: set the \${env:…} variables\n# in the proxy's environment before importing.\n`;
const SECRETS_HEADER = `# MCP Reverse Proxy configuration WITH SECRET VALUES IN CLEAR (exported with secrets=true).\n# Keep this file as safe as the proxy's own data folder.\n`;

/**
 * Configuration as code: the services (every kind: commands, HTTP children, remotes, deployed
 * repositories) and groups as one YAML document, out (secrets as `${env:NAME}` references, or in
 * clear on an admin's request) and in (applying only the difference: an unchanged service is not
 * touched, so it is not restarted; a new repository service is deployed).
 */
@Injectable()
export class ConfigSyncService {
  constructor(
    private readonly services: ServicesService,
    private readonly groups: GroupsService,
    private readonly supervisor: ProcessSupervisor,
    private readonly deploys: DeployService,
    private readonly settings: SettingsService,
  ) {}

  /** Everything, or for a principal limited to some services only those and the groups made of them alone. */
  async export(principal?: Principal, options: ExportOptions = {}): Promise<string> {
    const [services, groups] = await Promise.all([this.services.list(), this.groups.list()]);
    // Server settings concern every service: only for a caller not limited to some.
    const settings = principal?.scope?.services ? {} : await this.runtimeSettings();
    const document = {
      version: 1,
      services: await Promise.all(
        services
          .filter((service) => scopeShowsService(principal, service))
          .map((service) => this.serviceEntry(service, options.secrets === true)),
      ),
      groups: groups.filter((group) => scopeShowsGroup(principal, group.members)).map(groupEntry),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    };
    return `${options.secrets ? SECRETS_HEADER : EXPORT_HEADER}${stringify(document)}`;
  }

  async apply(text: string, dryRun = false): Promise<ApplyResult> {
    // A dry run first: a file that fails on its third service must not leave the first two behind.
    if (!dryRun) await this.apply(text, true);
    const document = parseConfigDocument(text);
    // Checked before anything changes: a bad setting refuses the whole file.
    this.settings.check(document.settings);
    const result: ApplyResult = { dryRun, services: [], groups: [], settings: [] };
    for (const wanted of document.services) result.services.push({ name: wanted.name, change: await this.applyService(wanted, dryRun) });
    for (const wanted of document.groups) result.groups.push({ name: wanted.name, change: await this.applyGroup(wanted, dryRun) });
    result.settings = await this.applySettings(document.settings, dryRun);
    return result;
  }

  /** The settings changed at runtime (the environment's own values stay the environment's). */
  private async runtimeSettings(): Promise<Record<string, unknown>> {
    return Object.fromEntries(
      (await this.settings.list())
        .filter((setting) => setting.runtime && setting.source === 'runtime')
        .map((setting) => [setting.key, setting.value]),
    );
  }

  /** Only the settings whose value differs are written; settings the file leaves out keep theirs. */
  private async applySettings(wanted: Record<string, unknown>, dryRun: boolean): Promise<{ name: string; change: ChangeKind }[]> {
    const current = new Map((await this.settings.list()).map((setting) => [setting.key, setting.value]));
    const changes = Object.entries(wanted).map(([name, value]) => ({
      name,
      value,
      change: (isDeepStrictEqual(current.get(name), value) ? 'unchanged' : 'updated') as ChangeKind,
    }));
    const patch = Object.fromEntries(changes.filter((item) => item.change === 'updated').map((item) => [item.name, item.value]));
    if (!dryRun && Object.keys(patch).length > 0) await this.settings.update(patch);
    return changes.map(({ name, change }) => ({ name, change }));
  }

  private async serviceEntry(service: ServiceView, secrets: boolean): Promise<CreateServiceDto> {
    const entity = await this.services.entityOf(service.id);
    const { path, ...proxy } = service.proxy;
    const { command, args, cwd, ...settings } = service.process;
    const environment = secrets
      ? await this.services.environmentOf(service.id)
      : Object.fromEntries(Object.keys(service.environment).map((key) => [key, `\${env:${envName(service.name, key)}}`]));
    return {
      name: service.name,
      transport: service.transport,
      // A deployed service's command and build folder belong to this proxy's build: the importing proxy deploys its own.
      process: service.repository ? settings : { command: command ?? undefined, args, cwd, ...settings },
      // The default path follows the name; only a path of its own is written out.
      proxy: path === `/mcp/${service.name}` ? proxy : { ...proxy, path },
      // Only a setting that differs from the default is written out.
      ...(service.callLog.payloads ? { callLog: { payloads: true } } : {}),
      ...(service.repository ? { repository: { ...service.repository, entryPoint: service.repository.entryPoint ?? undefined } } : {}),
      ...(service.remote ? { remote: await this.remoteEntry(service, secrets) } : {}),
      environment,
      start: entity.desiredState === 'running',
    } as CreateServiceDto;
  }

  /** `${NAME}` references to the service's own environment are written as they are; a literal value as `${env:…}`, or in clear. */
  private async remoteEntry(service: ServiceView, secrets: boolean): Promise<RemoteConfigDto | undefined> {
    if (!service.remote) return undefined;
    const stored = await this.services.remoteHeadersOf(service.id);
    const headers = Object.fromEntries(
      Object.entries(service.remote.headers).map(([name, shown]) => [
        name,
        shown !== MASKED_VALUE ? shown : secrets ? (stored[name] ?? '') : `\${env:${envName(service.name, `header-${name}`)}}`,
      ]),
    );
    const { url, protocol, allowInsecureHttp, auth, oauth } = service.remote;
    if (auth !== 'oauth' || !oauth) return { url, protocol, allowInsecureHttp, headers };
    // The client secret like a literal header: in clear with secrets, else masked (kept by an import into this proxy).
    const clientSecret = oauth.clientSecret && secrets ? (await this.services.remoteOAuthOf(service.id))?.clientSecret : oauth.clientSecret;
    return {
      url,
      protocol,
      allowInsecureHttp,
      headers,
      auth,
      oauth: {
        connection: oauth.connection,
        ...(oauth.clientId ? { clientId: oauth.clientId } : {}),
        ...(clientSecret ? { clientSecret } : {}),
        ...(oauth.scopes ? { scopes: oauth.scopes } : {}),
      },
    };
  }

  private async applyService(wanted: CreateServiceDto, dryRun: boolean): Promise<ChangeKind> {
    const existing = await this.services.get(wanted.name).catch(() => null);
    const currentEnvironment = existing ? await this.services.environmentOf(existing.id) : {};
    const currentHeaders = existing ? await this.services.remoteHeadersOf(existing.id) : {};
    const environment = this.resolveEnvironment(wanted, currentEnvironment);
    const remote = wanted.remote ? this.resolveRemote(wanted.name, wanted.remote, currentHeaders) : undefined;
    if (!existing) {
      if (!dryRun) {
        const created = await this.services.create({ ...wanted, remote, environment, start: undefined });
        // A repository service gets its code the way it got it on the exporting proxy: by a deploy, which starts it.
        if (wanted.repository && wanted.start && !wanted.process?.command)
          await this.deploys.redeploy(await this.services.entityOf(created.id), 'api');
        else if (wanted.start) await this.supervisor.start(wanted.name);
      }
      return 'created';
    }
    const update = serviceDifference(existing, wanted, environment, currentEnvironment, remote, currentHeaders);
    const isRunning = (await this.services.entityOf(existing.id)).desiredState === 'running';
    // A repository service with no build yet (its deploy queued, running or failed) has nothing to start: its deploy starts it.
    const nothingToRun = existing.repository !== null && !existing.process.command;
    const wantRunning = nothingToRun ? isRunning : (wanted.start ?? false);
    if (!update && wantRunning === isRunning) return 'unchanged';
    if (!dryRun) {
      if (update) await this.services.update(existing.id, update);
      if (wantRunning && !isRunning) await this.supervisor.start(existing.id);
      if (!wantRunning && isRunning) await this.supervisor.stop(existing.id);
    }
    return 'updated';
  }

  /** Header values given as `${env:NAME}`; one not set keeps the stored value (the masked value tells the registry so). */
  private resolveRemote(service: string, wanted: RemoteConfigDto, current: Record<string, string>): RemoteConfigDto {
    const headers = resolveReferences(
      wanted.headers ?? {},
      current,
      () => MASKED_VALUE,
      (name) => `${service}.remote.headers.${name}`,
    );
    return { ...wanted, headers };
  }

  /** Variables given as `${env:NAME}`; one not set keeps the service's current value (re-applying an exported file changes nothing). */
  private resolveEnvironment(wanted: CreateServiceDto, current: Record<string, string>): Record<string, string> {
    return resolveReferences(
      wanted.environment ?? {},
      current,
      (key) => current[key],
      (key) => `${wanted.name}.environment.${key}`,
    );
  }

  private async applyGroup(wanted: CreateGroupDto, dryRun: boolean): Promise<ChangeKind> {
    const existing = await this.groups.get(wanted.name).catch(() => null);
    if (!existing) {
      if (!dryRun) await this.groups.create(wanted);
      return 'created';
    }
    const current = groupEntry(existing);
    const next = { ...current, ...stripUndefined(wanted) };
    if (isDeepStrictEqual(normalizeGroup(current), normalizeGroup(next))) return 'unchanged';
    if (!dryRun) {
      const update: UpdateGroupDto = {
        enabled: wanted.enabled,
        separator: wanted.separator,
        members: wanted.members,
        allow: wanted.allow,
        deny: wanted.deny,
        settings: wanted.settings,
      };
      await this.groups.update(existing.id, update);
    }
    return 'updated';
  }
}

/** `SERVICE_NAME_KEY`: the variable an exported file refers to for one service's secret (header names: `SERVICE_HEADER_X_TEAM`). */
export function envName(service: string, key: string): string {
  return `${service.replace(/-/g, '_').toUpperCase()}_${key.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}`;
}

/** The PATCH that turns the existing service into the wanted one, or null when they already agree. */
function serviceDifference(
  existing: ServiceView,
  wanted: CreateServiceDto,
  environment: Record<string, string>,
  currentEnvironment: Record<string, string>,
  remote: RemoteConfigDto | undefined,
  currentHeaders: Record<string, string>,
): UpdateServiceDto | null {
  const update: UpdateServiceDto = {};
  if (remote && !sameRemote(existing, remote, currentHeaders)) update.remote = remote;
  if ((wanted.transport ?? 'stdio') !== existing.transport) update.transport = wanted.transport;
  if (wanted.process && !matches(existing.process, wanted.process)) update.process = wanted.process;
  if (wanted.proxy && !matches(existing.proxy, wanted.proxy)) update.proxy = wanted.proxy;
  if (wanted.callLog && !matches(existing.callLog, wanted.callLog)) update.callLog = wanted.callLog;
  if (wanted.repository && !matches(existing.repository ?? {}, wanted.repository)) update.repository = wanted.repository;
  if (!isDeepStrictEqual(environment, currentEnvironment)) update.environment = environment;
  return Object.keys(update).length > 0 ? update : null;
}

/** The masked value stands for "keep the stored one": equal by definition. */
function sameRemote(existing: ServiceView, wanted: RemoteConfigDto, currentHeaders: Record<string, string>): boolean {
  if (!existing.remote) return false;
  const { headers = {}, ...rest } = wanted;
  const { headers: _shown, ...current } = existing.remote;
  if (!matches(current, rest)) return false;
  const names = Object.keys(headers);
  if (!isDeepStrictEqual(names.sort(), Object.keys(currentHeaders).sort())) return false;
  return names.every((name) => headers[name] === MASKED_VALUE || headers[name] === currentHeaders[name]);
}

/** Every setting the file gives has the value the service has (settings the file leaves out keep theirs). */
function matches(current: object, wanted: object): boolean {
  return Object.entries(stripUndefined(wanted)).every(([key, value]) =>
    isDeepStrictEqual(plain((current as Record<string, unknown>)[key]), plain(value)),
  );
}

/** Nested settings (process.limits) arrive as validated DTO instances: compare their data, not their classes. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

function groupEntry(group: GroupView): CreateGroupDto {
  return {
    name: group.name,
    enabled: group.enabled,
    separator: group.separator,
    members: group.members.map((member) => ({
      service: member.serviceName,
      allow: member.allow,
      deny: member.deny,
      renames: member.renames,
    })),
    allow: group.allow,
    deny: group.deny,
    settings: group.settings,
  };
}

function normalizeGroup(group: CreateGroupDto): unknown {
  return JSON.parse(
    JSON.stringify({ ...group, members: group.members.map((m) => ({ allow: [], deny: [], renames: {}, ...stripUndefined(m) })) }),
  );
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

/**
 * Values written as `${env:NAME}` are taken from the proxy's environment. A reference that is not set keeps
 * what the service already has (`kept`); for a value it does not have yet it is a 400 naming the field.
 */
function resolveReferences(
  values: Record<string, string>,
  current: Record<string, string>,
  kept: (key: string) => string,
  field: (key: string) => string,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const reference = ENV_REFERENCE.exec(value)?.[1];
    if (!reference) resolved[key] = value;
    else {
      const fromHost = hostEnvironment([reference])[reference];
      if (fromHost !== undefined) resolved[key] = fromHost;
      else if (current[key] !== undefined) resolved[key] = kept(key);
      else missing.push(`${field(key)} refers to \${env:${reference}}, which is not set`);
    }
  }
  if (missing.length > 0) throw new BadRequestException(missing);
  return resolved;
}
