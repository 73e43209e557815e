import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EMPTY_LIMITS, MASKED_VALUE } from '@mcp-proxy/shared/dto';
import type {
  CreateServiceDto,
  ProcessConfigView,
  ProxyConfigView,
  RemoteConfigDto,
  ServiceLimitsView,
  SessionPoolView,
  ServiceSandboxSettingsView,
  ServiceView,
  UpdateServiceDto,
} from '@mcp-proxy/shared/dto';
import { In, QueryFailedError, Repository } from 'typeorm';
import { RuntimeSettings } from '../core/config/runtime-settings';
import { SealedValueError, SecretBox } from '../core/crypto/secret-box';
import { openRemoteOAuth, sealRemoteOAuth } from './remote-oauth-config';
import { RemoteSettings, remoteView } from './remote-settings';
import { ServiceRemoteEntity } from './service-remote.entity';
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
    @InjectRepository(ServiceRemoteEntity) private readonly remotes: Repository<ServiceRemoteEntity>,
    private readonly secretBox: SecretBox,
    private readonly runtimes: ServiceRuntimes,
    private readonly events: ServiceEvents,
    private readonly settings: RuntimeSettings,
  ) {}

  async list(): Promise<ServiceView[]> {
    const entities = await this.withRemotes(await this.services.find({ order: { name: 'ASC' } }));
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
      process: processConfig({ ...this.processDefaults(), ...givenFields(dto.process) }),
      proxy: proxyConfig(dto.name, { ...this.proxyDefaults(), ...givenFields(dto.proxy) }),
      callLog: { payloads: dto.callLog?.payloads ?? false },
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
    refuseUnsupportedIsolation(entity);
    await this.saveUnique(entity);
    if (dto.remote) entity.remote = await this.saveRemote(entity.id, dto.remote, null);
    this.events.changed(entity.id);
    return this.view(entity);
  }

  async update(idOrName: string, dto: UpdateServiceDto): Promise<ServiceView> {
    const entity = await this.find(idOrName);
    if (dto.transport) entity.transport = dto.transport;
    if (dto.process) {
      entity.process = processConfig({
        ...entity.process,
        ...dto.process,
        // A partial limits (or sandbox) object changes only the keys it names.
        limits: { ...EMPTY_LIMITS, ...entity.process.limits, ...definedOnly(dto.process.limits) },
        sandbox: { user: null, filesystem: null, ...entity.process.sandbox, ...definedOnly(dto.process.sandbox) },
        pool: { ...DEFAULT_POOL, ...entity.process.pool, ...definedOnly(dto.process.pool) },
      });
    }
    if (dto.proxy) entity.proxy = proxyConfig(entity.name, { ...entity.proxy, ...dto.proxy });
    if (dto.callLog) entity.callLog = { payloads: dto.callLog.payloads };
    if (dto.repository) {
      entity.repository = {
        url: dto.repository.url,
        branch: dto.repository.branch ?? entity.repository?.branch ?? 'main',
        entryPoint: dto.repository.entryPoint ?? entity.repository?.entryPoint ?? null,
        allowScripts: dto.repository.allowScripts ?? entity.repository?.allowScripts ?? false,
      };
    }
    if (dto.environment) entity.environmentSealed = this.secretBox.encryptJson(dto.environment);
    if (entity.transport === 'remote' && !dto.remote && !entity.remote) throw badRequest('remote is required when transport is "remote"');
    refuseUnsupportedIsolation(entity);
    await this.saveUnique(entity);
    if (dto.remote) entity.remote = await this.saveRemote(entity.id, dto.remote, entity.remote ?? null);
    this.events.changed(entity.id);
    return this.view(entity);
  }

  async remove(idOrName: string): Promise<void> {
    const entity = await this.find(idOrName);
    const { id } = entity;
    await this.events.removing(id);
    await this.services.remove(entity);
    await this.remotes.delete({ serviceId: id });
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

  /** Decrypted environment, for the supervisor only: never returned by the API. Throws UnreadableSecretsError when the key cannot open it. */
  async environmentOf(idOrName: string): Promise<Record<string, string>> {
    const entity = await this.find(idOrName);
    return this.open(entity.environmentSealed, `the environment of "${entity.name}"`, 're-enter its environment variables');
  }

  /** A remote service's settings with header values filled in from its environment, for the connection only. */
  async remoteOf(idOrName: string, environment: Record<string, string>): Promise<RemoteSettings | null> {
    const entity = await this.find(idOrName);
    if (!entity.remote) return null;
    return RemoteSettings.resolve(
      entity.remote,
      this.open(entity.remote.headersSealed, `the remote headers of "${entity.name}"`, 're-enter its remote headers'),
      environment,
      openRemoteOAuth(this.secretBox, entity.remote.oauthSealed),
    );
  }

  /** Why the service's stored secrets cannot be opened (and what to do), or null when they open: checked before it starts. */
  async unreadableSecrets(idOrName: string): Promise<string | null> {
    const entity = await this.find(idOrName);
    try {
      this.open(entity.environmentSealed, `its environment`, 're-enter the variables');
      if (entity.remote) this.open(entity.remote.headersSealed, `its remote headers`, 're-enter the headers');
      return null;
    } catch (error) {
      if (error instanceof UnreadableSecretsError) return error.message;
      throw error;
    }
  }

  /** A remote service's `remote.oauth` as stored (client secret in clear), for the configuration export with secrets only. */
  async remoteOAuthOf(idOrName: string): Promise<RemoteSettings['oauth']> {
    const remote = (await this.find(idOrName)).remote;
    return remote ? openRemoteOAuth(this.secretBox, remote.oauthSealed) : null;
  }

  /** A remote service's header values as stored (literals and `${NAME}` templates), for the configuration export only. */
  async remoteHeadersOf(idOrName: string): Promise<Record<string, string>> {
    const remote = (await this.find(idOrName)).remote;
    return remote ? this.secretBox.decryptJson<Record<string, string>>(remote.headersSealed) : {};
  }

  /** What a new service gets when its request leaves these out: the live SERVICE_DEFAULT_* settings. */
  private processDefaults(): Partial<ProcessConfigView> {
    return {
      autoRestart: this.settings.get('SERVICE_DEFAULT_AUTO_RESTART'),
      maxRestarts: this.settings.get('SERVICE_DEFAULT_MAX_RESTARTS'),
    };
  }

  private proxyDefaults(): Partial<ProxyConfigView> {
    return { rateLimit: this.settings.get('SERVICE_DEFAULT_RATE_LIMIT'), cache: this.settings.get('SERVICE_DEFAULT_CACHE') };
  }

  private async find(idOrName: string): Promise<ServiceEntity> {
    const entity = await this.services.findOne({
      where: UUID.test(idOrName) ? [{ id: idOrName }, { name: idOrName }] : { name: idOrName },
    });
    if (!entity) throw new NotFoundException(`Service "${idOrName}" not found`);
    entity.remote = await this.remotes.findOne({ where: { serviceId: entity.id } });
    return entity;
  }

  private async withRemotes(entities: ServiceEntity[]): Promise<ServiceEntity[]> {
    const ids = entities.filter((entity) => entity.transport === 'remote').map((entity) => entity.id);
    const rows = ids.length > 0 ? await this.remotes.find({ where: { serviceId: In(ids) } }) : [];
    const byService = new Map(rows.map((row) => [row.serviceId, row]));
    for (const entity of entities) entity.remote = byService.get(entity.id) ?? null;
    return entities;
  }

  /** A header sent back masked (as the view showed it) keeps the value stored before. */
  private async saveRemote(serviceId: string, dto: RemoteConfigDto, previous: ServiceRemoteEntity | null): Promise<ServiceRemoteEntity> {
    const before = previous ? this.openOrNull(previous.headersSealed) : {};
    const masked = Object.entries(dto.headers ?? {})
      .filter(([, value]) => value === MASKED_VALUE)
      .map(([name]) => `remote.headers.${name}`);
    if (before === null && masked.length > 0) {
      throw badRequest(`${masked.join(', ')}: the stored value was sealed with another ENCRYPTION_KEY and cannot be kept; enter it again`);
    }
    const headers = Object.fromEntries(
      Object.entries(dto.headers ?? {}).map(([name, value]) => [name, value === MASKED_VALUE ? (before?.[name] ?? '') : value]),
    );
    return this.remotes.save(
      this.remotes.create({
        serviceId,
        url: dto.url,
        protocol: dto.protocol ?? 'streamable-http',
        allowInsecureHttp: dto.allowInsecureHttp ?? false,
        headersSealed: this.secretBox.encryptJson(headers),
        // Remote settings without a word on auth (the portal's form) keep the stored ones.
        ...(dto.auth === undefined && dto.oauth === undefined && previous
          ? { auth: previous.auth, oauthSealed: previous.oauthSealed }
          : { auth: dto.auth ?? 'headers', oauthSealed: sealRemoteOAuth(this.secretBox, dto, previous?.oauthSealed ?? null) }),
      }),
    );
  }

  private async saveUnique(entity: ServiceEntity): Promise<void> {
    const others = await this.services.find({ select: { id: true, name: true, proxy: true } });
    const pathOwner = others.find((other) => other.id !== entity.id && other.proxy.path === entity.proxy.path);
    if (pathOwner) throw new ConflictException(`proxy.path ${entity.proxy.path} is already used by "${pathOwner.name}"`);
    const clash = routeKeyClash(entity, others);
    if (clash) throw new ConflictException(clash);
    try {
      await this.services.save(entity);
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        throw new ConflictException(`A service named "${entity.name}" already exists`);
      }
      throw error;
    }
  }

  /** A service whose secrets cannot be opened is still listed (its variable names unknown until they open again). */
  private view(entity: ServiceEntity): ServiceView {
    const environment = this.openOrNull(entity.environmentSealed) ?? {};
    const remote = entity.remote
      ? remoteView(
          entity.remote,
          this.openOrNull(entity.remote.headersSealed) ?? {},
          openRemoteOAuth(this.secretBox, entity.remote.oauthSealed),
        )
      : null;
    return toServiceView(entity, Object.keys(environment), this.runtimes.get(entity.id), remote);
  }

  private open(sealed: string, what: string, fix: string): Record<string, string> {
    try {
      return this.secretBox.decryptJson<Record<string, string>>(sealed);
    } catch (error) {
      if (error instanceof SealedValueError) throw new UnreadableSecretsError(what, error, fix);
      throw error;
    }
  }

  private openOrNull(sealed: string): Record<string, string> | null {
    try {
      return this.secretBox.decryptJson<Record<string, string>>(sealed);
    } catch (error) {
      if (error instanceof SealedValueError) return null;
      throw error;
    }
  }
}

/**
 * A service's sealed secrets that this proxy's keys cannot open. The message names the cause and the fix;
 * the stored value stays as it is, so the right key (or the user entering the values again) brings it back.
 * A 409 when it reaches a client (revealing the environment).
 */
export class UnreadableSecretsError extends ConflictException {
  constructor(what: string, cause: SealedValueError, fix: string) {
    super(
      cause.reason === 'other-key'
        ? `${what} was sealed with another ENCRYPTION_KEY: set ENCRYPTION_KEY_PREVIOUS to the old key (then run \`npm run mcp-proxy -- rotate-key\`), or ${fix}`
        : `${what} cannot be read (${cause.message}): ${fix}`,
    );
    this.name = 'UnreadableSecretsError';
  }
}

/**
 * A client reaches a service at /mcp/<id>, /mcp/<name> and /mcp/<path word>: none of these may be another
 * service's, or one route would shadow the other. The message names the field to change.
 */
function routeKeyClash(entity: ServiceEntity, all: Pick<ServiceEntity, 'id' | 'name' | 'proxy'>[]): string | null {
  const own: [string, string][] = [
    ['name', entity.name],
    ['proxy.path', pathWord(entity.proxy.path)],
  ];
  for (const other of all) {
    if (other.id === entity.id) continue;
    const theirs: [string, string][] = [
      ['id', other.id],
      ['name', other.name],
      ['proxy.path', pathWord(other.proxy.path)],
    ];
    for (const [field, key] of own) {
      const taken = theirs.find(([, value]) => value === key);
      if (taken) return `${field} "${key}" is already the ${taken[0]} of "${other.name}": /mcp/${key} would reach both`;
    }
  }
  return null;
}

function pathWord(path: string): string {
  return path.slice('/mcp/'.length);
}

function badRequest(message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, message: [message], error: 'Bad Request' });
}

/**
 * A remote server is one session shared by every client: there is no process to give each client. A pool's
 * children are initialized by the proxy, which speaks MCP to stdio children only.
 */
function refuseUnsupportedIsolation(entity: ServiceEntity): void {
  const { isolation, pool } = entity.process;
  if (entity.transport === 'remote' && isolation !== 'shared') {
    throw badRequest(`process.isolation "${isolation}" is not available for remote services (use "shared")`);
  }
  if (entity.transport === 'http' && isolation === 'pool') {
    throw badRequest('process.isolation "pool" needs a stdio server (use "session" or "shared" for an http service)');
  }
  if (pool && pool.min > pool.max) throw badRequest(`process.pool.min (${pool.min}) must not be more than process.pool.max (${pool.max})`);
}

/** Two children kept ready, twenty at most. */
const DEFAULT_POOL: SessionPoolView = { min: 2, max: 20 };

/** The fields a request actually gave (not undefined or null), so the defaults fill the rest. */
function givenFields<T extends object>(input: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;
}

/** Defaults for every setting, applied on create and again on update (so older rows gain new keys). */
type ProcessConfigInput = Omit<Partial<ProcessConfigView>, 'limits' | 'sandbox' | 'pool'> & {
  pool?: Partial<SessionPoolView>;
  limits?: { [K in keyof ServiceLimitsView]?: ServiceLimitsView[K] | undefined };
  sandbox?: { [K in keyof ServiceSandboxSettingsView]?: ServiceSandboxSettingsView[K] | undefined };
};

function processConfig(input: ProcessConfigInput | undefined): ProcessConfigView {
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
    pool: { ...DEFAULT_POOL, ...definedOnly(input?.pool) },
    limits: { ...EMPTY_LIMITS, ...definedOnly(input?.limits) },
    sandbox: { user: input?.sandbox?.user ?? null, filesystem: input?.sandbox?.filesystem ?? null },
  };
}

/** Keys given as undefined (absent in the request) must not hide the defaults. */
function definedOnly<T extends object>(input: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function proxyConfig(name: string, input: Partial<ProxyConfigView> | undefined): ProxyConfigView {
  return {
    path: input?.path ?? `/mcp/${name}`,
    rateLimit: input?.rateLimit ?? 100,
    toolLimits: input?.toolLimits ?? {},
    cache: input?.cache ?? true,
    toolResultTtlSec: input?.toolResultTtlSec ?? 0,
    requestTimeoutSec: input?.requestTimeoutSec ?? 60,
    responseMode: input?.responseMode ?? 'auto',
    auth: input?.auth ?? 'apiKey',
    driftPolicy: input?.driftPolicy ?? 'warn',
  };
}
