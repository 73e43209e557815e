import type {
  DriftPolicy,
  IsolationMode,
  ProcessConfigDto,
  ProxyConfigDto,
  ResponseMode,
  ServiceAuthMode,
  SandboxFilesystemMode,
  SandboxUserMode,
  ServiceLimitsView,
  ServiceTransport,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import type { CreateServiceBody, UpdateServiceBody } from '../services-api.service';
import { emptyRemoteForm, RemoteFormValue, remoteBody, remoteChanged, remoteFormFromView } from './remote-form.model';

export { REMOTE_PROTOCOLS } from './remote-form.model';

// Written out rather than imported: the DTO library's barrel also carries class-validator code
// that must stay out of the browser bundle. The types keep these lists in step with it.
export const TRANSPORTS: readonly ServiceTransport[] = ['stdio', 'http', 'remote'];
/** `Name: value`, one header a line. */
export const HEADER_LINE_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*$/;
export const ISOLATION_MODES: readonly IsolationMode[] = ['shared', 'session'];
export const RESPONSE_MODES: readonly ResponseMode[] = ['auto', 'json', 'sse'];
export const AUTH_MODES: readonly ServiceAuthMode[] = ['apiKey', 'oauth'];
export const DRIFT_POLICIES: readonly DriftPolicy[] = ['warn', 'block', 'off'];
export const DRIFT_POLICY_LABELS: Record<DriftPolicy, string> = {
  warn: 'Warn: serve the new tools, record the change',
  block: 'Block: hold changed tools back until approved',
  off: 'Off: do not compare',
};
export const SANDBOX_USER_CHOICES: readonly ('default' | SandboxUserMode)[] = ['default', 'auto', 'none'];
export const SANDBOX_FILESYSTEM_CHOICES: readonly ('default' | SandboxFilesystemMode)[] = ['default', 'bubblewrap', 'none'];
/** Empty (null) takes the proxy's default; 0 turns the limit off. */
export const NO_LIMITS: ServiceLimitsView = {
  memoryMb: null,
  cpuPercent: null,
  maxProcesses: null,
  maxOpenFiles: null,
  cpuSeconds: null,
  addressSpaceMb: null,
};
export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const RESERVED_NAMES: readonly string[] = ['all', 'ws', 'g', 'sse', 'messages', 'health'];
export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const PROXY_PATH_PATTERN = /^\/mcp\/[a-z0-9][a-z0-9-]{0,62}$/;

export interface EnvironmentRow {
  key: string;
  value: string;
}

/** Everything the create/edit form holds, grouped like the API body so its error paths match. */
export interface ServiceFormValue {
  name: string;
  transport: ServiceTransport;
  process: {
    command: string;
    /** One argument per line. */
    args: string;
    cwd: string;
    port: number | null;
    isolation: IsolationMode;
    autoRestart: boolean;
    maxRestarts: number | null;
    restartWindowSec: number | null;
    healthCheckIntervalSec: number | null;
    memoryLimitMb: number | null;
    maxSessions: number | null;
    sessionIdleTimeoutSec: number | null;
    /** `pool` isolation: children kept ready, and children at most. */
    poolMin: number | null;
    poolMax: number | null;
    limits: ServiceLimitsView;
    sandboxUser: 'default' | SandboxUserMode;
    sandboxFilesystem: 'default' | SandboxFilesystemMode;
  };
  proxy: {
    /** Empty: `/mcp/<name>`. */
    path: string;
    rateLimit: number | null;
    /** `tool-or-glob: calls per minute`, one a line. */
    toolLimits: string;
    cache: boolean;
    toolResultTtlSec: number | null;
    requestTimeoutSec: number | null;
    responseMode: ResponseMode;
    auth: ServiceAuthMode;
    /** What happens when the server's tools differ from the pinned ones. */
    driftPolicy: DriftPolicy;
  };
  /** `transport: remote` only. */
  remote: RemoteFormValue;
  environment: EnvironmentRow[];
  /** The call history stores this service's arguments and results (redacted): `callLog.payloads`. */
  callLogPayloads: boolean;
  start: boolean;
}

/** The API's defaults for a new service, shown pre-filled so nothing is hidden. */
export function emptyServiceForm(): ServiceFormValue {
  return {
    name: '',
    transport: 'stdio',
    process: {
      command: '',
      args: '',
      cwd: '',
      port: null,
      isolation: 'shared',
      autoRestart: true,
      maxRestarts: 5,
      restartWindowSec: 300,
      healthCheckIntervalSec: 30,
      memoryLimitMb: null,
      maxSessions: 20,
      sessionIdleTimeoutSec: 900,
      poolMin: 2,
      poolMax: 20,
      limits: { ...NO_LIMITS },
      sandboxUser: 'default',
      sandboxFilesystem: 'default',
    },
    proxy: {
      path: '',
      rateLimit: 100,
      toolLimits: '',
      cache: true,
      toolResultTtlSec: 0,
      requestTimeoutSec: 60,
      responseMode: 'auto',
      auth: 'apiKey',
      driftPolicy: 'warn',
    },
    remote: emptyRemoteForm(),
    environment: [],
    callLogPayloads: false,
    start: false,
  };
}

/**
 * The form for editing `service`. Variable values are never sent by the API (only masked), so each
 * row carries its name with an empty value: the user re-enters values when replacing variables.
 */
export function formValueFromService(service: ServiceView): ServiceFormValue {
  const { process, proxy } = service;
  return {
    name: service.name,
    transport: service.transport,
    process: {
      command: process.command ?? '',
      args: process.args.join('\n'),
      cwd: process.cwd ?? '',
      port: process.port,
      isolation: process.isolation,
      autoRestart: process.autoRestart,
      maxRestarts: process.maxRestarts,
      restartWindowSec: process.restartWindowSec,
      healthCheckIntervalSec: process.healthCheckIntervalSec,
      memoryLimitMb: process.memoryLimitMb,
      maxSessions: process.maxSessions,
      sessionIdleTimeoutSec: process.sessionIdleTimeoutSec,
      poolMin: process.pool?.min ?? 2,
      poolMax: process.pool?.max ?? 20,
      limits: { ...NO_LIMITS, ...process.limits },
      sandboxUser: process.sandbox?.user ?? 'default',
      sandboxFilesystem: process.sandbox?.filesystem ?? 'default',
    },
    proxy: {
      path: proxy.path,
      rateLimit: proxy.rateLimit,
      toolLimits: Object.entries(proxy.toolLimits ?? {})
        .map(([pattern, perMinute]) => `${pattern}: ${perMinute}`)
        .join('\n'),
      cache: proxy.cache,
      toolResultTtlSec: proxy.toolResultTtlSec,
      requestTimeoutSec: proxy.requestTimeoutSec,
      responseMode: proxy.responseMode,
      auth: proxy.auth ?? 'apiKey',
      driftPolicy: proxy.driftPolicy ?? 'warn',
    },
    remote: remoteFormFromView(service.remote),
    environment: Object.keys(service.environment).map((key) => ({ key, value: '' })),
    callLogPayloads: service.callLog?.payloads ?? false,
    start: false,
  };
}

/** `tool-or-glob: n` lines → tool limits (blank lines dropped; the last colon splits, as a glob has none). */
export function parseToolLimits(text: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    const colon = trimmed.lastIndexOf(':');
    if (colon <= 0) continue;
    limits[trimmed.slice(0, colon).trim()] = Number(trimmed.slice(colon + 1).trim());
  }
  return limits;
}

/** One argument per line; blank lines are dropped and each line is trimmed. */
export function parseArgs(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function environmentFromRows(rows: readonly EnvironmentRow[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key) environment[key] = row.value;
  }
  return environment;
}

type ProcessBody = { [K in keyof ProcessConfigDto]: ProcessConfigDto[K] };
type ProxyBody = { [K in keyof ProxyConfigDto]: ProxyConfigDto[K] };

function processBody(value: ServiceFormValue['process']): ProcessBody {
  const body: ProcessBody = {
    args: parseArgs(value.args),
    cwd: value.cwd.trim() || null,
    port: value.port,
    isolation: value.isolation,
    autoRestart: value.autoRestart,
    memoryLimitMb: value.memoryLimitMb,
    limits: { ...value.limits },
    sandbox: {
      user: value.sandboxUser === 'default' ? null : value.sandboxUser,
      filesystem: value.sandboxFilesystem === 'default' ? null : value.sandboxFilesystem,
    },
  };
  // A service deployed from a repository may have no command: blank means "none", not "".
  const command = value.command.trim();
  if (command) body.command = command;
  // Numbers left empty fall back to the API's defaults instead of being sent as null.
  const numbers = ['maxRestarts', 'restartWindowSec', 'healthCheckIntervalSec', 'maxSessions', 'sessionIdleTimeoutSec'] as const;
  for (const key of numbers) {
    const number = value[key];
    if (number !== null) body[key] = number;
  }
  if (value.isolation === 'pool') {
    const pool = { ...(value.poolMin !== null ? { min: value.poolMin } : {}), ...(value.poolMax !== null ? { max: value.poolMax } : {}) };
    if (Object.keys(pool).length > 0) body.pool = pool;
  }
  return body;
}

function proxyBody(value: ServiceFormValue['proxy']): ProxyBody {
  const body: ProxyBody = {
    cache: value.cache,
    responseMode: value.responseMode,
    auth: value.auth,
    driftPolicy: value.driftPolicy,
    toolLimits: parseToolLimits(value.toolLimits),
  };
  const path = value.path.trim();
  if (path) body.path = path;
  const numbers = ['rateLimit', 'toolResultTtlSec', 'requestTimeoutSec'] as const;
  for (const key of numbers) {
    const number = value[key];
    if (number !== null) body[key] = number;
  }
  return body;
}

/** `POST /api/services` body from the create form. */
export function createBodyFrom(value: ServiceFormValue): CreateServiceBody {
  const body: CreateServiceBody = {
    name: value.name.trim(),
    transport: value.transport,
    process: processBody(value.process),
    proxy: proxyBody(value.proxy),
  };
  if (value.transport === 'remote') body.remote = remoteBody(value.remote, null);
  const environment = environmentFromRows(value.environment);
  if (Object.keys(environment).length > 0) body.environment = environment;
  if (value.callLogPayloads) body.callLog = { payloads: true };
  if (value.start) body.start = true;
  return body;
}

/**
 * `PATCH` body with only what the user changed. The API merges `process` and `proxy` into the
 * stored settings, and a change to transport, process or environment restarts a running service,
 * so untouched sections are left out. `environment` replaces the whole map on the server, so it is
 * sent only when the user chose to replace the variables (`replaceEnvironment`).
 */
export function updateBodyFrom(original: ServiceView, value: ServiceFormValue, replaceEnvironment: boolean): UpdateServiceBody {
  const body: UpdateServiceBody = {};
  if (value.transport !== original.transport) body.transport = value.transport;

  const process = changedFields(processBody(value.process), {
    command: original.process.command ?? undefined,
    args: original.process.args,
    cwd: original.process.cwd,
    port: original.process.port,
    isolation: original.process.isolation,
    autoRestart: original.process.autoRestart,
    memoryLimitMb: original.process.memoryLimitMb,
    maxRestarts: original.process.maxRestarts,
    restartWindowSec: original.process.restartWindowSec,
    healthCheckIntervalSec: original.process.healthCheckIntervalSec,
    maxSessions: original.process.maxSessions,
    sessionIdleTimeoutSec: original.process.sessionIdleTimeoutSec,
    pool: original.process.pool,
    limits: { ...NO_LIMITS, ...original.process.limits },
    sandbox: { user: null, filesystem: null, ...original.process.sandbox },
  });
  if (process) body.process = process;

  const proxy = changedFields(proxyBody(value.proxy), { auth: 'apiKey', driftPolicy: 'warn', toolLimits: {}, ...original.proxy });
  if (proxy) body.proxy = proxy;

  // The whole remote section is sent when any of it changed (the API replaces it).
  if (value.transport === 'remote' && remoteChanged(value.remote, original.remote)) body.remote = remoteBody(value.remote, original.remote);

  if (value.callLogPayloads !== (original.callLog?.payloads ?? false)) body.callLog = { payloads: value.callLogPayloads };
  if (replaceEnvironment) body.environment = environmentFromRows(value.environment);
  return body;
}

/** True when a PATCH body would restart a running service. */
export function updateRestartsService(body: UpdateServiceBody): boolean {
  return body.transport !== undefined || body.process !== undefined || body.environment !== undefined || body.remote !== undefined;
}

function changedFields<T extends object>(next: T, current: Partial<Record<keyof T, unknown>>): Partial<T> | null {
  const changed: Partial<T> = {};
  let any = false;
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (!sameValue(next[key], current[key])) {
      changed[key] = next[key];
      any = true;
    }
  }
  return any ? changed : null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => item === b[index]);
  }
  // Flat settings objects (limits, sandbox): the same keys with the same values.
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key]);
  }
  return a === b;
}

/** Where each of the API's 400 messages belongs: next to a field (by its path), or above the form. */
export interface PlacedErrors {
  byField: Record<string, string[]>;
  general: string[];
}

/**
 * The API names the field at the start of each message (`process.maxRestarts must not be less
 * than 0`); a few name it later (`repository or process.command is required`). Environment
 * messages (`environment.X …`) go to the `environment` section.
 */
export function placeApiErrors(messages: readonly string[], fieldPaths: readonly string[]): PlacedErrors {
  const placed: PlacedErrors = { byField: {}, general: [] };
  const add = (path: string, message: string): void => {
    (placed.byField[path] ??= []).push(message);
  };
  for (const message of messages) {
    const first = (message.split(/\s/, 1)[0] ?? '').replace(/:$/, '');
    if (first === 'environment' || first.startsWith('environment.')) {
      add('environment', message);
    } else if (fieldPaths.includes(first)) {
      add(first, message);
    } else {
      const mentioned = fieldPaths.find((path) => new RegExp(`(^|\\s)${escapeRegExp(path)}(\\s|$)`).test(message));
      if (mentioned) add(mentioned, message);
      else placed.general.push(message);
    }
  }
  return placed;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
