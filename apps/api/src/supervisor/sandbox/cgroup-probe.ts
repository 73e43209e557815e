import { appendFileSync, accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CgroupRoots } from './child-cgroup';

/**
 * Finds which cgroup hierarchy this host gives the proxy — v1, v2 only (Debian 12+, Ubuntu 22.04+,
 * Fedora, current Docker), or the hybrid layout (v1 controllers beside an empty v2 mount) — and
 * prepares the directory each controller's child cgroups go in. It reads only the mount table and
 * /proc/self/cgroup text it is handed, so a test can point it at a tree laid out like cgroupfs.
 */

export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none';

/** The text of /proc/self/mounts and /proc/self/cgroup. */
export interface CgroupHostFacts {
  mounts: string;
  selfCgroup: string;
}

export interface CgroupProbe {
  layout: CgroupLayout;
  /** The hierarchy the limits are written in (hybrid hosts use v1); null when none can be used. */
  version: 1 | 2 | null;
  roots: CgroupRoots;
}

export const CGROUP_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
type Controller = (typeof CGROUP_CONTROLLERS)[number];

/** Under cgroup v2 the proxy's processes move into this leaf of its own cgroup, so that cgroup may give its children controllers. */
export const PROXY_LEAF = 'proxy';

interface Hierarchies {
  layout: CgroupLayout;
  /** v1: controller → its mount point and this process's cgroup in it. */
  v1: Map<Controller, { mount: string; path: string }>;
  /** v2: the mount point and this process's cgroup (`0::/path`). */
  v2: { mount: string; path: string } | null;
}

export function readCgroupFacts(): CgroupHostFacts {
  return {
    mounts: readOr('/proc/self/mounts'),
    selfCgroup: readOr('/proc/self/cgroup'),
  };
}

/** Which hierarchies are mounted and where this process sits in each. */
export function detectCgroups({ mounts, selfCgroup }: CgroupHostFacts): Hierarchies {
  const v1Mounts = new Map<Controller, string>();
  let v2Mount: string | null = null;
  for (const line of mounts.split('\n')) {
    const [, rawMount, type, options] = line.split(' ');
    if (!rawMount || !options) continue;
    // The kernel escapes spaces and tabs in mount points as octal (`\040`).
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (type === 'cgroup2' && v2Mount === null) v2Mount = mount;
    if (type === 'cgroup')
      for (const controller of CGROUP_CONTROLLERS) if (options.split(',').includes(controller)) v1Mounts.set(controller, mount);
  }
  const v1Paths = new Map<string, string>();
  let v2Path: string | null = null;
  for (const line of selfCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === '0' && match[2] === '') v2Path = match[3];
    else for (const controller of match[2].split(',')) v1Paths.set(controller, match[3]);
  }
  const v1 = new Map<Controller, { mount: string; path: string }>();
  for (const [controller, mount] of v1Mounts) {
    const path = v1Paths.get(controller);
    if (path !== undefined) v1.set(controller, { mount, path });
  }
  const v2 = v2Mount !== null && v2Path !== null ? { mount: v2Mount, path: v2Path } : null;
  const layout: CgroupLayout = v1.size > 0 ? (v2 ? 'hybrid' : 'v1') : v2 ? 'v2' : 'none';
  return { layout, v1, v2 };
}

/**
 * Creates `parentName` under the proxy's own cgroup in the hierarchy in use (so the host's limits on
 * the proxy still hold for its children). Never throws: what cannot be used is said in `missing`, one
 * `cgroup <controller>: <why>` line each.
 */
export function probeCgroups(facts: CgroupHostFacts, parentName: string, missing: string[]): CgroupProbe {
  const found = detectCgroups(facts);
  const roots: CgroupRoots = { memory: null, pids: null, cpu: null };
  if (found.layout === 'none') {
    for (const controller of CGROUP_CONTROLLERS) missing.push(`cgroup ${controller}: no cgroup hierarchy mounted`);
    return { layout: 'none', version: null, roots };
  }
  if (found.layout === 'v2' && found.v2) {
    probeV2(found.v2.mount, found.v2.path, parentName, roots, missing);
    return { layout: 'v2', version: 2, roots };
  }
  for (const controller of CGROUP_CONTROLLERS) {
    const own = found.v1.get(controller);
    if (!own) {
      missing.push(`cgroup ${controller}: controller not mounted`);
      continue;
    }
    const parent = join(own.mount, own.path, parentName);
    try {
      mkdirSync(parent, { recursive: true });
      accessSync(join(parent, 'cgroup.procs'), constants.W_OK);
      roots[controller] = parent;
    } catch (error) {
      missing.push(`cgroup ${controller}: cannot create a child cgroup (${errorCode(error)})`);
    }
  }
  return { layout: found.layout, version: 1, roots };
}

/**
 * cgroup v2: one directory for every controller, and the "no internal processes" rule — a cgroup that
 * gives its children controllers may hold no process itself. So, only when the proxy's own cgroup is
 * delegated to it (writable: a systemd unit with Delegate=yes, a container's own cgroup namespace), its
 * processes move into `<own>/proxy`, the own cgroup enables the controllers for its children, and the
 * children's parent enables them for each child.
 */
function probeV2(mount: string, ownPath: string, parentName: string, roots: CgroupRoots, missing: string[]): void {
  let base = join(mount, ownPath);
  // A proxy restarted inside the leaf an earlier one moved its processes into manages from the delegated cgroup above it.
  if (basename(base) === PROXY_LEAF && base !== mount && writable(dirname(base))) base = dirname(base);
  const fail = (controllers: readonly Controller[], why: string) => {
    for (const controller of controllers) missing.push(`cgroup ${controller}: cgroup v2: ${why}`);
  };
  if (!writable(base)) {
    fail(
      CGROUP_CONTROLLERS,
      `the proxy's cgroup ${ownPath} is not delegated to it (run it under a systemd unit with Delegate=yes, as deploy/mcp-proxy.service does; a container's /sys/fs/cgroup is read-only unless privileged)`,
    );
    return;
  }
  const available = words(readOr(join(base, 'cgroup.controllers')));
  const usable = CGROUP_CONTROLLERS.filter((controller) => available.includes(controller));
  fail(
    CGROUP_CONTROLLERS.filter((controller) => !usable.includes(controller)),
    `controller not delegated to the proxy's cgroup ${ownPath} (add it to Delegate= or to the parent's cgroup.subtree_control)`,
  );
  if (usable.length === 0) return;
  try {
    moveIntoLeaf(base);
    let enabled = enable(base, usable);
    // Refused (EBUSY) when a process was forked into the cgroup meanwhile: move it too and ask once more.
    if (enabled.length < usable.length) {
      moveIntoLeaf(base);
      enabled = enable(base, usable);
    }
    const parent = join(base, parentName);
    mkdirSync(parent, { recursive: true });
    const enabledBelow = enable(parent, enabled);
    for (const controller of usable) {
      if (enabledBelow.includes(controller)) roots[controller] = parent;
      else fail([controller], `cannot enable the controller for child cgroups under ${ownPath} (cgroup.subtree_control refused it)`);
    }
  } catch (error) {
    fail(usable, `cannot prepare child cgroups under ${ownPath} (${errorCode(error)})`);
  }
}

/** Moves every process of `dir` into `dir/proxy` (the other processes of a delegated unit, e.g. the launcher, go too). */
function moveIntoLeaf(dir: string): void {
  const pids = readOr(join(dir, 'cgroup.procs'))
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()));
  if (pids.length === 0) return;
  const leaf = join(dir, PROXY_LEAF);
  mkdirSync(leaf, { recursive: true });
  for (const pid of pids) {
    try {
      // One pid per write, as cgroupfs requires; appended so each lands even in a plain file.
      appendFileSync(join(leaf, 'cgroup.procs'), `${pid.trim()}\n`);
    } catch (error) {
      // A process that exited meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Asks for the controllers in `dir`'s subtree_control (all at once, then one by one, since one refusal fails the whole write); returns those enabled. */
function enable(dir: string, controllers: readonly Controller[]): Controller[] {
  const file = join(dir, 'cgroup.subtree_control');
  try {
    writeFileSync(file, controllers.map((controller) => `+${controller}`).join(' '));
  } catch {
    for (const controller of controllers) {
      try {
        writeFileSync(file, `+${controller}`);
      } catch {
        // Reported by the caller as not enabled.
      }
    }
  }
  const now = words(readOr(file)).map((word) => word.replace(/^\+/, ''));
  return controllers.filter((controller) => now.includes(controller));
}

function writable(dir: string): boolean {
  try {
    for (const path of [dir, join(dir, 'cgroup.procs'), join(dir, 'cgroup.subtree_control')]) accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
