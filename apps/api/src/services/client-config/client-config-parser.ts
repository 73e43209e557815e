/**
 * Reads the MCP server list a desktop client keeps: `mcpServers` (Claude Desktop, Cursor, Windsurf,
 * Cline) and VS Code's `servers` with its `inputs` (also nested under `mcp` as in settings.json). VS
 * Code allows comments and trailing commas, so text goes through jsonc-parser. Pure: no I/O, every
 * problem with the path of the field it concerns.
 */
import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';
import { RESERVED_SERVICE_NAMES } from '@mcp-proxy/shared/dto';

export type ClientConfigFormat = 'mcpServers' | 'servers';

export interface ClientConfigInput {
  id: string;
  description: string | null;
  secret: boolean;
  default: string | null;
}

export interface ClientConfigEntry {
  key: string;
  /** The field path, for messages: `mcpServers.fetch`. */
  path: string;
  name: string;
  transport: 'stdio' | 'remote';
  command: string | null;
  args: string[];
  cwd: string | null;
  env: Record<string, string>;
  url: string | null;
  protocol: 'streamable-http' | 'sse';
  headers: Record<string, string>;
  /** `${input:id}` ids used anywhere in the entry. */
  variables: string[];
}

export interface ParsedClientConfig {
  format: ClientConfigFormat;
  entries: ClientConfigEntry[];
  inputs: ClientConfigInput[];
}

/** Bad input: each problem names the field (`config.mcpServers.x.args`). */
export class ClientConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export const INPUT_PLACEHOLDER = /\$\{input:([A-Za-z0-9_.-]{1,100})\}/g;
const SSE_TYPES = new Set(['sse']);
const HTTP_TYPES = new Set(['http', 'streamable-http', 'streamableHttp', 'streamable_http']);
const MAX_ENTRIES = 100;

type Json = Record<string, unknown>;

export function parseClientConfig(config: string | Json): ParsedClientConfig {
  let root = typeof config === 'string' ? parseText(config) : config;
  if (isObject(root['mcp'])) root = root['mcp'];
  const format: ClientConfigFormat | null = isObject(root['mcpServers']) ? 'mcpServers' : isObject(root['servers']) ? 'servers' : null;
  // A bare map of entries (the inside of mcpServers) is read as mcpServers.
  const servers = format ? (root[format] as Json) : looksLikeEntries(root) ? root : null;
  if (!servers)
    throw new ClientConfigError([
      'config must hold an "mcpServers" object (Claude Desktop, Cursor, Windsurf) or a "servers" object (VS Code)',
    ]);
  const keys = Object.keys(servers);
  if (keys.length === 0) throw new ClientConfigError([`config.${format ?? 'mcpServers'} lists no server`]);
  if (keys.length > MAX_ENTRIES) throw new ClientConfigError([`config.${format ?? 'mcpServers'} may list at most ${MAX_ENTRIES} servers`]);
  const problems: string[] = [];
  const entries = keys.map((key) => readEntry(key, servers[key], `${format ?? 'mcpServers'}.${key}`, problems));
  const inputs = readInputs(root['inputs'], problems);
  if (problems.length > 0) throw new ClientConfigError(problems);
  return { format: format ?? 'mcpServers', entries: entries.filter((entry): entry is ClientConfigEntry => entry !== null), inputs };
}

/** A service name from the entry's key: lowercase letters, digits and dashes, not a reserved word. */
export function serviceNameFor(key: string): string {
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56);
  if (!slug) return 'server';
  return (RESERVED_SERVICE_NAMES as readonly string[]).includes(slug) ? `${slug}-server` : slug;
}

/** Replaces `${input:id}` with the given values (ids without a value stay as written). */
export function fillInputs(text: string, values: Record<string, string>): string {
  return text.replace(INPUT_PLACEHOLDER, (whole, id: string) => values[id] ?? whole);
}

function parseText(text: string): Json {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const [first] = errors;
    const line = text.slice(0, first.offset).split('\n').length;
    throw new ClientConfigError([`config is not valid JSON: ${printParseErrorCode(first.error)} at line ${line}`]);
  }
  if (!isObject(value)) throw new ClientConfigError(['config must be a JSON object']);
  return value;
}

function readEntry(key: string, value: unknown, path: string, problems: string[]): ClientConfigEntry | null {
  const field = `config.${path}`;
  if (!isObject(value)) {
    problems.push(`${field} must be an object`);
    return null;
  }
  const before = problems.length;
  const text = (name: string): string | null => {
    const item = value[name];
    if (item === undefined || item === null) return null;
    if (typeof item !== 'string' || item.trim() === '') problems.push(`${field}.${name} must be a non-empty string`);
    return typeof item === 'string' ? item.trim() : null;
  };
  const command = text('command');
  const url = text('url') ?? text('serverUrl');
  const type = text('type');
  const args = stringList(value['args'], `${field}.args`, problems);
  const env = stringMap(value['env'], `${field}.env`, problems);
  const headers = stringMap(value['headers'], `${field}.headers`, problems);
  const cwd = text('cwd');
  if (type !== null && type !== 'stdio' && !SSE_TYPES.has(type) && !HTTP_TYPES.has(type))
    problems.push(`${field}.type must be stdio, http or sse`);
  if (!command && !url) problems.push(`${field} needs a "command" (a local server) or a "url" (a remote one)`);
  if (problems.length > before) return null;
  const variables = new Set<string>();
  for (const part of [command ?? '', url ?? '', cwd ?? '', ...args, ...Object.values(env), ...Object.values(headers)])
    for (const match of part.matchAll(INPUT_PLACEHOLDER)) variables.add(match[1]);
  // Both given: the type decides, a command wins without one.
  const remote = !command || (url !== null && type !== null && type !== 'stdio');
  return {
    key,
    path,
    name: serviceNameFor(key),
    transport: remote ? 'remote' : 'stdio',
    command: remote ? null : command,
    args: remote ? [] : args,
    cwd: remote ? null : cwd,
    env,
    url: remote ? url : null,
    protocol: type !== null && SSE_TYPES.has(type) ? 'sse' : 'streamable-http',
    headers: remote ? headers : {},
    variables: [...variables],
  };
}

function readInputs(value: unknown, problems: string[]): ClientConfigInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('config.inputs must be a list');
    return [];
  }
  return value.flatMap((item: unknown, index) => {
    if (!isObject(item) || typeof item['id'] !== 'string' || !item['id']) {
      problems.push(`config.inputs.${index}.id must be a string`);
      return [];
    }
    return [
      {
        id: item['id'],
        description: typeof item['description'] === 'string' ? item['description'] : null,
        secret: item['password'] === true,
        default: typeof item['default'] === 'string' ? item['default'] : null,
      },
    ];
  });
}

function stringList(value: unknown, field: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' || typeof item === 'number')) {
    problems.push(`${field} must be a list of strings`);
    return [];
  }
  return value.map(String);
}

function stringMap(value: unknown, field: string, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (
    !isObject(value) ||
    !Object.values(value).every((item) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
  ) {
    problems.push(`${field} must be an object of string values`);
    return {};
  }
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, String(item)]));
}

function looksLikeEntries(root: Json): boolean {
  const values = Object.values(root);
  return values.length > 0 && values.every((item) => isObject(item) && ('command' in item || 'url' in item || 'serverUrl' in item));
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
