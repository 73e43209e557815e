import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers the proxy uses, each with the directory it may create children in (under cgroup v2 the same one for all). */
export interface CgroupRoots {
  memory: string | null;
  pids: string | null;
  cpu: string | null;
}

export interface CgroupLimits {
  memoryBytes: number;
  maxTasks: number;
  /** Quota in % of one core. */
  cpuPercent: number;
}

/** Counters that tell why a child's tree was stopped, read at start and compared later. */
export interface CgroupCounters {
  oomKills: number;
  forksRefused: number;
}

const CPU_PERIOD_US = 100_000;

/**
 * One child's cgroups: created before it starts, limits written, counters read to tell why it died,
 * removed after it is gone. Only the controllers that have a limit to enforce are used. cgroup v1 has
 * a directory per controller; v2 one directory with every limit file in it.
 */
export class ChildCgroup {
  private constructor(
    private readonly dirs: Partial<Record<keyof CgroupRoots, string>>,
    private readonly version: 1 | 2,
  ) {}

  /** Throws when a directory cannot be created or a limit written (the caller reports it). */
  static create(roots: CgroupRoots, name: string, limits: CgroupLimits, version: 1 | 2 = 1): ChildCgroup {
    const dirs: Partial<Record<keyof CgroupRoots, string>> = {};
    const cgroup = new ChildCgroup(dirs, version);
    try {
      if (version === 2) createV2(roots, name, limits, dirs);
      else createV1(roots, name, limits, dirs);
    } catch (error) {
      cgroup.remove();
      throw error;
    }
    return cgroup;
  }

  /** The files the child's first process writes its pid into. */
  get procsFiles(): string[] {
    return this.uniqueDirs().map((dir) => join(dir, 'cgroup.procs'));
  }

  get controllers(): (keyof CgroupRoots)[] {
    return Object.keys(this.dirs) as (keyof CgroupRoots)[];
  }

  counters(): CgroupCounters {
    const oomFile = this.version === 2 ? 'memory.events' : 'memory.oom_control';
    return {
      oomKills: this.dirs.memory ? keyedNumber(readOr(join(this.dirs.memory, oomFile)), 'oom_kill') : 0,
      forksRefused: this.dirs.pids ? keyedNumber(readOr(join(this.dirs.pids, 'pids.events')), 'max') : 0,
    };
  }

  /** Pids still in any of the child's cgroups. */
  members(): number[] {
    const pids = new Set<number>();
    for (const dir of this.uniqueDirs()) {
      for (const line of readOr(join(dir, 'cgroup.procs')).split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
    }
    return [...pids];
  }

  /** Kills whatever is left (a process that left the process group) and removes the directories. */
  remove(): boolean {
    // cgroup v2 (Linux 5.14+) kills the whole tree at once, a process forked meanwhile included.
    if (this.version === 2) for (const dir of this.uniqueDirs()) if (existsSync(dir)) tryWrite(join(dir, 'cgroup.kill'), '1');
    for (const pid of this.members()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    let removed = true;
    for (const dir of this.uniqueDirs()) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        removed = false;
      }
    }
    return removed;
  }

  private uniqueDirs(): string[] {
    return [...new Set(Object.values(this.dirs))];
  }
}

/** cgroup v1: a directory per controller. */
function createV1(roots: CgroupRoots, name: string, limits: CgroupLimits, dirs: Partial<Record<keyof CgroupRoots, string>>): void {
  if (roots.memory && limits.memoryBytes > 0) {
    dirs.memory = make(roots.memory, name);
    writeFileSync(join(dirs.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // No swap either: a capped tree must not page its way past the limit.
    tryWrite(join(dirs.memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    tryWrite(join(dirs.memory, 'memory.swappiness'), '0');
  }
  if (roots.pids && limits.maxTasks > 0) {
    dirs.pids = make(roots.pids, name);
    writeFileSync(join(dirs.pids, 'pids.max'), String(limits.maxTasks));
  }
  if (roots.cpu && limits.cpuPercent > 0) {
    dirs.cpu = make(roots.cpu, name);
    writeFileSync(join(dirs.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    writeFileSync(join(dirs.cpu, 'cpu.cfs_quota_us'), String(cpuQuota(limits.cpuPercent)));
  }
}

/** cgroup v2: `memory.max` and `pids.max` as numbers, `cpu.max` as "quota period" in µs. */
function createV2(roots: CgroupRoots, name: string, limits: CgroupLimits, dirs: Partial<Record<keyof CgroupRoots, string>>): void {
  const wanted = {
    memory: roots.memory && limits.memoryBytes > 0 ? roots.memory : null,
    pids: roots.pids && limits.maxTasks > 0 ? roots.pids : null,
    cpu: roots.cpu && limits.cpuPercent > 0 ? roots.cpu : null,
  };
  const root = wanted.memory ?? wanted.pids ?? wanted.cpu;
  if (!root) return;
  const dir = make(root, name);
  if (wanted.memory) {
    dirs.memory = dir;
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
    // No swap either: a capped tree must not page its way past the limit (absent without swap accounting).
    tryWrite(join(dir, 'memory.swap.max'), '0');
  }
  if (wanted.pids) {
    dirs.pids = dir;
    writeFileSync(join(dir, 'pids.max'), String(limits.maxTasks));
  }
  if (wanted.cpu) {
    dirs.cpu = dir;
    writeFileSync(join(dir, 'cpu.max'), `${cpuQuota(limits.cpuPercent)} ${CPU_PERIOD_US}`);
  }
}

function cpuQuota(percent: number): number {
  return Math.max(1000, Math.round((CPU_PERIOD_US * percent) / 100));
}

/** Removes a proxy's cgroups once their processes are gone (its own at shutdown). */
export function removeParent(dir: string): void {
  for (const child of safeReaddir(dir)) tryRmdir(join(dir, child));
  tryRmdir(dir);
}

/** Removes what proxies that are no longer running (a crash) left behind: `<prefix><pid>-…` beside `root`. */
export function removeStaleParents(roots: CgroupRoots, prefix: string, isAlive: (pid: number) => boolean): void {
  for (const root of Object.values(roots)) {
    if (!root) continue;
    const parent = join(root, '..');
    for (const entry of safeReaddir(parent)) {
      const match = /^(\d+)-/.exec(entry.startsWith(prefix) ? entry.slice(prefix.length) : '');
      if (match && !isAlive(Number(match[1]))) removeParent(join(parent, entry));
    }
  }
}

function make(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function tryWrite(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // Optional knob (no swap accounting on this kernel).
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Still in use, or not a cgroup.
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `oom_kill 3` in a `key value` per line file. */
export function keyedNumber(text: string, key: string): number {
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name === key) return Number(value) || 0;
  }
  return 0;
}
