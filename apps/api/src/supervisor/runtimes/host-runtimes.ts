import { Inject, Injectable, Optional } from '@nestjs/common';
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { hostEnvironment } from '../../core/config/host-environment';
import { Clock } from '../../core/time/clock';
import { systemToolProbe, ToolProbe } from './tool-probe';

/** The probe the runtimes use; the real host unless a test provides another. */
export const TOOL_PROBE = Symbol('TOOL_PROBE');
/** The PATH the runtimes search (the proxy's, which its children inherit) unless a test provides another. */
export const HOST_PATH = Symbol('HOST_PATH');

/** A Python 3 that can make virtualenvs with pip (venv + ensurepip). */
export interface PythonInterpreter {
  path: string;
  /** `3.11` */
  version: string;
}

export type PythonLookup = { interpreter: PythonInterpreter; problem: null } | { interpreter: null; problem: string };

export const CONTAINER_ENGINES = ['docker', 'podman'] as const;
export type ContainerEngine = (typeof CONTAINER_ENGINES)[number];

export type EngineLookup = { engine: ContainerEngine; path: string; problem: null } | { engine: null; path: null; problem: string };

const PYTHON_NAMES = ['python3', 'python'];
const MIN_PYTHON: [number, number] = [3, 8];
/** Imports what a managed virtualenv needs; prints the version. `-I`: nothing of the environment or the current directory is read. */
const PYTHON_PROBE = ['-I', '-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'];
const PYTHON_PROBE_TIMEOUT_MS = 5000;
/** An engine that does not answer this fast is as good as absent for a service about to start. */
const ENGINE_PROBE_TIMEOUT_MS = 3000;
const PYTHON_CACHE_MS = 30_000;
const ENGINE_CACHE_MS = 10_000;

/**
 * What this host offers to run Python and container servers: uv/uvx, pipx, a Python that makes
 * virtualenvs, a Docker or Podman engine that answers. Looked up on the PATH the children inherit,
 * at the moment it is asked (a tool installed while the proxy runs is found), with short caches
 * because a probe starts a process.
 */
@Injectable()
export class HostRuntimes {
  private readonly probe: ToolProbe;
  private readonly pathOf: () => string;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly clock: Clock,
    @Optional() @Inject(TOOL_PROBE) probe?: ToolProbe,
    @Optional() @Inject(HOST_PATH) pathOf?: () => string,
  ) {
    this.probe = probe ?? systemToolProbe;
    this.pathOf = pathOf ?? (() => hostEnvironment(['PATH'])['PATH'] ?? '');
  }

  /** The PATH searched, as the children get it. */
  path(): string {
    return this.pathOf();
  }

  /** The first `name` on the PATH (absolute), or null. */
  tool(name: string): string | null {
    return this.probe.findAll(name, this.path())[0] ?? null;
  }

  /**
   * How a child should be told to run `command`, or null when it is not on this host. A path is taken as
   * written (relative to `cwd`). A name stays a name, except for a child of another user when the first
   * one on the PATH is in a place that user cannot enter (root's home): then the first one it can run,
   * by its absolute path, as a PATH search on that user's behalf does not reliably skip the others.
   */
  locate(command: string, { cwd, forOtherUser }: { cwd: string | null; forOtherUser: boolean }): string | null {
    if (command.includes('/')) {
      const path = isAbsolute(command) ? command : cwd ? resolve(cwd, command) : null;
      return path && this.probe.findAll(path, '').length > 0 ? command : null;
    }
    const all = this.probe.findAll(command, this.path());
    if (all.length === 0) return null;
    if (!forOtherUser || this.probe.reachableByOthers(all[0])) return command;
    return all.find((file) => this.probe.reachableByOthers(file)) ?? command;
  }

  /**
   * A Python 3.8+ with venv and ensurepip. Interpreters every user may run come first: a service that
   * runs as a user of its own cannot use one inside the proxy's home (a pyenv under /root, say).
   */
  python(): Promise<PythonLookup> {
    return this.cached(`python:${this.path()}`, PYTHON_CACHE_MS, () => this.findPython());
  }

  /** A Python named exactly so (`python3.12`), checked like python(). */
  pythonNamed(name: string): Promise<PythonLookup> {
    return this.cached(`python:${name}:${this.path()}`, PYTHON_CACHE_MS, () => this.findPython([name]));
  }

  /** The engine's CLI, checked to reach a running engine (a CLI alone cannot run anything). */
  engine(engine: ContainerEngine): Promise<EngineLookup> {
    return this.cached(`engine:${engine}:${this.path()}`, ENGINE_CACHE_MS, () => this.findEngine(engine));
  }

  private async findPython(names = PYTHON_NAMES): Promise<PythonLookup> {
    const path = this.path();
    const seen = new Set<string>();
    const candidates: string[] = [];
    for (const name of names) {
      for (const file of this.probe.findAll(name, path)) {
        const real = realOrSelf(file);
        if (seen.has(real)) continue;
        seen.add(real);
        candidates.push(file);
      }
    }
    if (candidates.length === 0) return { interpreter: null, problem: `${names[0]} not found on this host` };
    const ordered = [
      ...candidates.filter((file) => this.probe.reachableByOthers(file)),
      ...candidates.filter((file) => !this.probe.reachableByOthers(file)),
    ];
    const refusals: string[] = [];
    for (const file of ordered) {
      const result = await this.probe.run(file, PYTHON_PROBE, { timeoutMs: PYTHON_PROBE_TIMEOUT_MS, env: this.probeEnv() });
      const version = result.stdout.trim();
      const match = /^(\d+)\.(\d+)$/.exec(version);
      if (result.code === 0 && match) {
        const [major, minor] = [Number(match[1]), Number(match[2])];
        if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]))
          return { interpreter: { path: file, version }, problem: null };
        refusals.push(`${file} is Python ${version} (3.8 or newer needed)`);
      } else if (/No module named '?(venv|ensurepip)/.test(result.stderr)) {
        refusals.push(`${file} cannot make virtualenvs with pip (install python3-venv)`);
      } else {
        refusals.push(`${file} did not answer (${firstLine(result.stderr) || `exit code ${result.code ?? 'none'}`})`);
      }
    }
    return { interpreter: null, problem: `no usable Python 3 on this host: ${refusals.join('; ')}` };
  }

  private async findEngine(engine: ContainerEngine): Promise<EngineLookup> {
    const path = this.tool(engine);
    if (!path) return { engine: null, path: null, problem: `${engine} not found on this host` };
    // `version` asks the engine itself: it fails (quickly) when only the CLI is there.
    const args = engine === 'docker' ? ['version', '--format', '{{.Server.Version}}'] : ['info', '--format', '{{.Version.Version}}'];
    const result = await this.probe.run(path, args, { timeoutMs: ENGINE_PROBE_TIMEOUT_MS, env: this.probeEnv() });
    if (result.code === 0 && result.stdout.trim() !== '') return { engine, path, problem: null };
    const why =
      result.code === null
        ? `no answer within ${ENGINE_PROBE_TIMEOUT_MS / 1000} s`
        : firstLine(result.stderr) || `exit code ${result.code}`;
    return { engine: null, path: null, problem: `${engine} is installed but its engine does not answer (${why})` };
  }

  private probeEnv(): Record<string, string> {
    return { ...hostEnvironment(['HOME', 'LANG', 'DOCKER_HOST', 'CONTAINER_HOST', 'XDG_RUNTIME_DIR']), PATH: this.path() };
  }

  private cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: now, value });
    return value;
  }
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
