import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The cgroup v1 controllers the proxy uses, each with the directory it may create children in. */
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
 * One child's cgroups (cgroup v1): created before it starts, limits written, counters read to tell
 * why it died, removed after it is gone. Only the controllers that have a limit to enforce are used.
 */
export class ChildCgroup {
  private constructor(private readonly dirs: Partial<Record<keyof CgroupRoots, string>>) {}

  /** Throws when a directory cannot be created or a limit written (the caller reports it). */
  static create(roots: CgroupRoots, name: string, limits: CgroupLimits): ChildCgroup {
    const dirs: Partial<Record<keyof CgroupRoots, string>> = {};
    const cgroup = new ChildCgroup(dirs);
    try {
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
        writeFileSync(join(dirs.cpu, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round((CPU_PERIOD_US * limits.cpuPercent) / 100))));
      }
    } catch (error) {
      cgroup.remove();
      throw error;
    }
    return cgroup;
  }

  /** The files the child's first process writes its pid into. */
  get procsFiles(): string[] {
    return Object.values(this.dirs).map((dir) => join(dir, 'cgroup.procs'));
  }

  get controllers(): (keyof CgroupRoots)[] {
    return Object.keys(this.dirs) as (keyof CgroupRoots)[];
  }

  counters(): CgroupCounters {
    return {
      oomKills: this.dirs.memory ? keyedNumber(readOr(join(this.dirs.memory, 'memory.oom_control')), 'oom_kill') : 0,
      forksRefused: this.dirs.pids ? keyedNumber(readOr(join(this.dirs.pids, 'pids.events')), 'max') : 0,
    };
  }

  /** Pids still in any of the child's cgroups. */
  members(): number[] {
    const pids = new Set<number>();
    for (const dir of Object.values(this.dirs)) {
      for (const line of readOr(join(dir, 'cgroup.procs')).split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
    }
    return [...pids];
  }

  /** Kills whatever is left (a process that left the process group) and removes the directories. */
  remove(): boolean {
    for (const pid of this.members()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    let removed = true;
    for (const dir of Object.values(this.dirs)) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        removed = false;
      }
    }
    return removed;
  }
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
