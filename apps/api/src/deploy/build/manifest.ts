import { isAbsolute, normalize } from 'node:path';

export type ManifestSource = 'mcp.json' | 'mcp-manifest.json' | 'package.json' | 'pyproject.toml' | 'requirements.txt';

/** What every runtime's manifest says. */
interface ManifestBase {
  /** The file it came from. */
  source: ManifestSource;
  name: string | null;
  description: string | null;
  requiredEnv: string[];
  defaultEnv: Record<string, string>;
}

/** A Node server: installed with npm, run as `node <entryPoint>`. */
export interface NodeManifest extends ManifestBase {
  runtime: 'node';
  /** Relative to the repository root; run with node. */
  entryPoint: string;
}

/**
 * A Python server: installed into a virtualenv of its build (pyproject.toml: the project itself;
 * requirements.txt: its dependencies), run by the first of `command`, `module`, `entryPoint`, or the
 * project's one console script (`[project.scripts]`).
 */
export interface PythonManifest extends ManifestBase {
  runtime: 'python';
  /** A script of the build's virtualenv (`mcp-weather`), `python`, or a file of the repository. */
  command: string | null;
  /** `python -m <module>`. */
  module: string | null;
  /** A .py file of the repository, run by the build's Python. */
  entryPoint: string | null;
  /** Given to whichever of the above runs. */
  args: string[];
  pyproject: boolean;
  requirements: boolean;
}

/** How a repository says what it runs and what it needs. */
export type Manifest = NodeManifest | PythonManifest;

/** Which Python project files a checkout has. */
export interface PythonFiles {
  pyproject: boolean;
  requirements: boolean;
}

const NO_PYTHON_FILES: PythonFiles = { pyproject: false, requirements: false };

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
 * `mcp-manifest.json`, else `package.json` (`main` + its `mcp` section), else a Python project
 * (pyproject.toml, requirements.txt). A manifest without an entry point takes `main` from package.json.
 * The runtime is the manifest's `runtime` when it says one; otherwise Node when there is a package.json,
 * else Python when there are Python project files (say `"runtime": "python"` where a repository has both).
 */
export function manifestFrom(
  files: { 'mcp.json': unknown; 'mcp-manifest.json': unknown; 'package.json': unknown },
  python: PythonFiles = NO_PYTHON_FILES,
): Manifest {
  const pkg = files['package.json'] === null ? null : objectIn(files['package.json'], 'package.json');
  const pythonProject = python.pyproject || python.requirements;
  for (const source of MANIFEST_FILES) {
    if (files[source] === null) continue;
    const raw = objectIn(files[source], source);
    const runtime = runtimeIn(raw['runtime'], source) ?? (pkg === null && pythonProject ? 'python' : 'node');
    const common = {
      source,
      name: optionalString(raw['name'] ?? (runtime === 'node' ? pkg?.['name'] : undefined), `${source} name`),
      description: optionalString(raw['description'] ?? (runtime === 'node' ? pkg?.['description'] : undefined), `${source} description`),
      requiredEnv: envNames(raw['requiredEnv'], `${source} requiredEnv`),
      defaultEnv: envValues(raw['defaultEnv'], `${source} defaultEnv`),
    };
    if (runtime === 'python') return pythonManifest(common, raw, python);
    const entryPoint = raw['entryPoint'] ?? pkg?.['main'];
    return {
      ...common,
      runtime,
      entryPoint: entryPointOf(entryPoint, `${source} has no entryPoint (and package.json no main): name the file that starts the server`),
    };
  }
  if (!pkg) {
    if (pythonProject) {
      const source = python.pyproject ? 'pyproject.toml' : 'requirements.txt';
      return pythonManifest({ source, name: null, description: null, requiredEnv: [], defaultEnv: {} }, {}, python);
    }
    throw new ManifestError(
      'no mcp.json, mcp-manifest.json, package.json, pyproject.toml or requirements.txt: the repository does not say how to run its server',
    );
  }
  const mcp = pkg['mcp'] === undefined ? {} : objectIn(pkg['mcp'], 'package.json mcp');
  return {
    source: 'package.json',
    runtime: 'node',
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

/** The deploy log's line about it. */
export function describeManifest(manifest: Manifest): string {
  const requires = manifest.requiredEnv.length > 0 ? `, requires ${manifest.requiredEnv.join(', ')}` : '';
  const name = manifest.name ?? 'unnamed';
  if (manifest.runtime === 'node') return `manifest from ${manifest.source}: ${name}, entry point ${manifest.entryPoint}${requires}`;
  const installs = [manifest.requirements ? 'requirements.txt' : null, manifest.pyproject ? 'the project (pyproject.toml)' : null].filter(
    Boolean,
  );
  const start = manifest.command
    ? `command ${[manifest.command, ...manifest.args].join(' ')}`
    : manifest.module
      ? `module ${manifest.module}`
      : manifest.entryPoint
        ? `entry point ${manifest.entryPoint}`
        : "the project's console script";
  return `manifest from ${manifest.source}: ${name}, Python, installs ${installs.length > 0 ? installs.join(' and ') : 'nothing'}, starts ${start}${requires}`;
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function pythonManifest(common: ManifestBase, raw: Record<string, unknown>, python: PythonFiles): PythonManifest {
  const where = common.source;
  const command = optionalString(raw['command'], `${where} command`);
  if (command !== null && (command.trim() === '' || /\s/.test(command)))
    throw new ManifestError(`${where} command must be one program (put its arguments in "args")`);
  if (command !== null && command.includes('/')) entryPointOf(command, `${where} command`);
  const module = optionalString(raw['module'], `${where} module`);
  if (module !== null && !MODULE_NAME.test(module))
    throw new ManifestError(`${where} module must be a Python module name, like "my_server.main"`);
  const args = raw['args'] ?? [];
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string'))
    throw new ManifestError(`${where} args must be a list of strings`);
  return {
    ...common,
    runtime: 'python',
    command,
    module,
    entryPoint: raw['entryPoint'] === undefined || raw['entryPoint'] === null ? null : entryPointOf(raw['entryPoint'], ''),
    args: args as string[],
    ...python,
  };
}

function runtimeIn(value: unknown, where: string): 'node' | 'python' | null {
  if (value === undefined || value === null) return null;
  if (value !== 'node' && value !== 'python') throw new ManifestError(`${where} runtime must be "node" or "python"`);
  return value;
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
