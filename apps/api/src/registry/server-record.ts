/**
 * A registry's `server.json` records, read defensively: they come from a third party, so every field is
 * checked for its type and bounded in size, unknown fields are dropped, and an entry that is not a record
 * at all is refused with the reason. Field names follow the registry's schema of 2025-12-11 (camelCase,
 * `registryType`, `transport` per package, `remotes` with `variables`); the API wraps each record as
 * `{server, _meta: {"io.modelcontextprotocol.registry/official": {status, publishedAt, isLatest, …}}}`.
 */

/** A value the user may have to give: an environment variable, an argument, a header, a URL variable. */
export interface RecordInput {
  description: string | null;
  isRequired: boolean;
  isSecret: boolean;
  format: string;
  /** A fixed value (not for the user to change), perhaps with `{variable}` placeholders. */
  value: string | null;
  default: string | null;
  placeholder: string | null;
  choices: string[] | null;
  variables: Record<string, RecordInput>;
}

export interface RecordArgument extends RecordInput {
  type: 'positional' | 'named';
  /** The flag of a named argument (`--port`). */
  name: string | null;
  valueHint: string | null;
  isRepeated: boolean;
}

export interface RecordKeyValue extends RecordInput {
  name: string;
}

export interface RecordTransport {
  type: string;
  url: string | null;
  headers: RecordKeyValue[];
  variables: Record<string, RecordInput>;
}

export interface RecordPackage {
  registryType: string;
  registryBaseUrl: string | null;
  identifier: string;
  version: string | null;
  runtimeHint: string | null;
  transport: RecordTransport;
  runtimeArguments: RecordArgument[];
  packageArguments: RecordArgument[];
  environmentVariables: RecordKeyValue[];
}

export interface RecordOfficialMeta {
  status: string | null;
  statusMessage: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  isLatest: boolean | null;
}

export interface ServerRecord {
  name: string;
  title: string | null;
  description: string;
  version: string;
  websiteUrl: string | null;
  repositoryUrl: string | null;
  packages: RecordPackage[];
  remotes: RecordTransport[];
  official: RecordOfficialMeta;
}

/** A record this proxy cannot read; the message says which field. */
export class ServerRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerRecordError';
  }
}

const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
const MAX_ITEMS = 50;
const MAX_TEXT = 2000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown, max = MAX_TEXT): string | null {
  return typeof value === 'string' && value.length <= max ? value : null;
}

function required(object: Json, key: string, where: string, max = MAX_TEXT): string {
  const value = text(object[key], max);
  if (value === null || value.trim() === '') throw new ServerRecordError(`${where}.${key} is missing or not a string`);
  return value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, MAX_ITEMS) : [];
}

function input(raw: Json, depth = 0): RecordInput {
  const choices = Array.isArray(raw['choices']) ? raw['choices'].filter((item): item is string => typeof item === 'string') : null;
  const variables: Record<string, RecordInput> = {};
  // Variables do not nest in the schema; one level is all a value template can use.
  if (depth === 0 && isObject(raw['variables'])) {
    for (const [name, item] of Object.entries(raw['variables']).slice(0, MAX_ITEMS)) {
      if (/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) && isObject(item)) variables[name] = input(item, 1);
    }
  }
  return {
    description: text(raw['description']),
    isRequired: raw['isRequired'] === true,
    isSecret: raw['isSecret'] === true,
    format: text(raw['format'], 20) ?? 'string',
    value: text(raw['value']),
    default: text(raw['default']),
    placeholder: text(raw['placeholder']),
    choices: choices && choices.length > 0 ? choices.slice(0, MAX_ITEMS) : null,
    variables,
  };
}

function argument(raw: unknown, where: string): RecordArgument {
  if (!isObject(raw)) throw new ServerRecordError(`${where} is not an object`);
  const type = raw['type'];
  if (type !== 'positional' && type !== 'named') throw new ServerRecordError(`${where}.type must be positional or named`);
  const name = text(raw['name'], 200);
  if (type === 'named' && !name) throw new ServerRecordError(`${where}.name is missing (a named argument needs its flag)`);
  return { ...input(raw), type, name, valueHint: text(raw['valueHint'], 200), isRepeated: raw['isRepeated'] === true };
}

function keyValue(raw: unknown, where: string): RecordKeyValue {
  if (!isObject(raw)) throw new ServerRecordError(`${where} is not an object`);
  return { ...input(raw), name: required(raw, 'name', where, 200) };
}

function transport(raw: unknown, where: string): RecordTransport {
  if (!isObject(raw)) throw new ServerRecordError(`${where} is not an object`);
  return {
    type: required(raw, 'type', where, 50),
    url: text(raw['url']),
    headers: list(raw['headers']).map((item, index) => keyValue(item, `${where}.headers[${index}]`)),
    variables: input(raw).variables,
  };
}

function pkg(raw: unknown, where: string): RecordPackage {
  if (!isObject(raw)) throw new ServerRecordError(`${where} is not an object`);
  return {
    registryType: required(raw, 'registryType', where, 50),
    registryBaseUrl: text(raw['registryBaseUrl'], 500),
    identifier: required(raw, 'identifier', where, 500),
    version: text(raw['version'], 255),
    runtimeHint: text(raw['runtimeHint'], 50),
    // Older records left it out: stdio was the only local transport then.
    transport:
      raw['transport'] === undefined
        ? { type: 'stdio', url: null, headers: [], variables: {} }
        : transport(raw['transport'], `${where}.transport`),
    runtimeArguments: list(raw['runtimeArguments']).map((item, index) => argument(item, `${where}.runtimeArguments[${index}]`)),
    packageArguments: list(raw['packageArguments']).map((item, index) => argument(item, `${where}.packageArguments[${index}]`)),
    environmentVariables: list(raw['environmentVariables']).map((item, index) => keyValue(item, `${where}.environmentVariables[${index}]`)),
  };
}

function official(meta: unknown): RecordOfficialMeta {
  const raw = isObject(meta) && isObject(meta[OFFICIAL_META]) ? meta[OFFICIAL_META] : {};
  return {
    status: text(raw['status'], 50),
    statusMessage: text(raw['statusMessage'], 500),
    publishedAt: text(raw['publishedAt'], 50),
    updatedAt: text(raw['updatedAt'], 50),
    isLatest: typeof raw['isLatest'] === 'boolean' ? raw['isLatest'] : null,
  };
}

/** One `ServerResponse` of the registry API (`{server, _meta}`). Throws ServerRecordError naming the bad field. */
export function parseServerResponse(raw: unknown): ServerRecord {
  if (!isObject(raw) || !isObject(raw['server'])) throw new ServerRecordError('the entry has no "server" object');
  const server = raw['server'];
  const repository = isObject(server['repository']) ? text(server['repository']['url'], 500) : null;
  return {
    name: required(server, 'name', 'server', 200),
    title: text(server['title'], 200),
    description: text(server['description']) ?? '',
    version: required(server, 'version', 'server', 255),
    websiteUrl: text(server['websiteUrl'], 500),
    repositoryUrl: repository,
    packages: list(server['packages']).map((item, index) => pkg(item, `server.packages[${index}]`)),
    remotes: list(server['remotes']).map((item, index) => transport(item, `server.remotes[${index}]`)),
    official: official(raw['_meta']),
  };
}

export interface ServerListPage {
  records: ServerRecord[];
  /** Entries left out because they could not be read, with the first reason. */
  skipped: number;
  firstProblem: string | null;
  nextCursor: string | null;
}

/** A `ServerList` (`{servers: [...], metadata: {nextCursor, count}}`); entries that cannot be read are skipped and counted. */
export function parseServerList(raw: unknown): ServerListPage {
  if (!isObject(raw) || !Array.isArray(raw['servers'])) throw new ServerRecordError('the answer has no "servers" list');
  const records: ServerRecord[] = [];
  let skipped = 0;
  let firstProblem: string | null = null;
  for (const item of raw['servers'].slice(0, 500)) {
    try {
      records.push(parseServerResponse(item));
    } catch (error) {
      if (!(error instanceof ServerRecordError)) throw error;
      skipped++;
      firstProblem ??= error.message;
    }
  }
  const metadata = isObject(raw['metadata']) ? raw['metadata'] : {};
  const cursor = text(metadata['nextCursor'], 500);
  return { records, skipped, firstProblem, nextCursor: cursor && cursor !== '' ? cursor : null };
}
