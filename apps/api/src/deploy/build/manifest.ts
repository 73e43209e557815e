import { isAbsolute, normalize } from 'node:path';

/** How a repository says what it runs and what it needs. */
export interface Manifest {
  /** The file it came from. */
  source: 'mcp.json' | 'mcp-manifest.json' | 'package.json';
  name: string | null;
  description: string | null;
  /** Relative to the repository root; run with node. */
  entryPoint: string;
  requiredEnv: string[];
  defaultEnv: Record<string, string>;
}

/** A manifest that cannot be used; the message says which file and field, and what to fix. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export const MANIFEST_FILES = ['mcp.json', 'mcp-manifest.json'] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds the manifest from the files' parsed JSON (null when a file is absent): `mcp.json`, else
 * `mcp-manifest.json`, else `package.json` (`main` + its `mcp` section). A manifest without an entry
 * point takes `main` from package.json.
 */
export function manifestFrom(files: { 'mcp.json': unknown; 'mcp-manifest.json': unknown; 'package.json': unknown }): Manifest {
  const pkg = files['package.json'] === null ? null : objectIn(files['package.json'], 'package.json');
  for (const source of MANIFEST_FILES) {
    if (files[source] === null) continue;
    const raw = objectIn(files[source], source);
    const entryPoint = raw['entryPoint'] ?? pkg?.['main'];
    return {
      source,
      name: optionalString(raw['name'] ?? pkg?.['name'], `${source} name`),
      description: optionalString(raw['description'] ?? pkg?.['description'], `${source} description`),
      entryPoint: entryPointOf(entryPoint, `${source} has no entryPoint (and package.json no main): name the file that starts the server`),
      requiredEnv: envNames(raw['requiredEnv'], `${source} requiredEnv`),
      defaultEnv: envValues(raw['defaultEnv'], `${source} defaultEnv`),
    };
  }
  if (!pkg) throw new ManifestError('no mcp.json, mcp-manifest.json or package.json: the repository does not say how to run its server');
  const mcp = pkg['mcp'] === undefined ? {} : objectIn(pkg['mcp'], 'package.json mcp');
  return {
    source: 'package.json',
    name: optionalString(pkg['name'], 'package.json name'),
    description: optionalString(pkg['description'], 'package.json description'),
    entryPoint: entryPointOf(
      mcp['entryPoint'] ?? pkg['main'],
      'package.json has no main: name the file that starts the server (or add mcp.json)',
    ),
    requiredEnv: envNames(mcp['requiredEnv'], 'package.json mcp.requiredEnv'),
    defaultEnv: envValues(mcp['defaultEnv'], 'package.json mcp.defaultEnv'),
  };
}

/** Required variables that are neither set nor defaulted, in the manifest's order. */
export function missingRequiredEnv(manifest: Manifest, environment: Record<string, string>): string[] {
  return manifest.requiredEnv.filter((key) => (environment[key] ?? manifest.defaultEnv[key] ?? '') === '');
}

function objectIn(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ManifestError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ManifestError(`${where} must be a string`);
  return value;
}

/** A relative path that stays inside the repository. */
function entryPointOf(value: unknown, missing: string): string {
  if (value === undefined || value === null || value === '') throw new ManifestError(missing);
  if (typeof value !== 'string') throw new ManifestError(`the entry point must be a string, not ${JSON.stringify(value)}`);
  const path = normalize(value);
  if (isAbsolute(path) || path === '..' || path.startsWith('../'))
    throw new ManifestError(`the entry point ${value} is outside the repository`);
  return path;
}

function envNames(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((key) => typeof key !== 'string' || !ENV_NAME.test(key))) {
    throw new ManifestError(`${where} must be a list of variable names`);
  }
  return [...new Set(value as string[])];
}

function envValues(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const object = objectIn(value, where);
  const values: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) {
    if (!ENV_NAME.test(key)) throw new ManifestError(`${where}: ${JSON.stringify(key)} is not a variable name`);
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw new ManifestError(`${where}.${key} must be a string`);
    }
    values[key] = String(item);
  }
  return values;
}
