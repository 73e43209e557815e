import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CgroupRoots } from './child-cgroup';
import type { SandboxTools } from './sandbox-command';

/** What this host lets the proxy do for its children; probed once at start-up. */
export interface HostCapabilities {
  root: boolean;
  tools: SandboxTools;
  /** Where each controller's child cgroups go; null when the controller cannot be used. */
  cgroups: CgroupRoots;
  /** bwrap is installed and can create its namespaces here. */
  bubblewrap: boolean;
  /** One line per layer that is unavailable, and why (logged once at start-up). */
  missing: string[];
}

export const CGROUP_PARENT_PREFIX = 'mcp-proxy-';
const CGROUP_MOUNT = '/sys/fs/cgroup';

/** Finds the tools and probes cgroups and bubblewrap. Never throws: what fails is reported in `missing`. */
/** `parentName`: this proxy's own cgroup under its cgroup in each hierarchy (`mcp-proxy-<pid>-<random>`). */
export function probeHost(path: string, parentName: string, isRoot: boolean): HostCapabilities {
  const missing: string[] = [];
  const tools: SandboxTools = {
    sh: findProgram('sh', path) ?? '/bin/sh',
    prlimit: findProgram('prlimit', path),
    setpriv: findProgram('setpriv', path),
    bwrap: findProgram('bwrap', path),
  };
  if (!tools.prlimit) missing.push('per-process limits: prlimit (util-linux) not found');
  if (!isRoot) missing.push('own users: the proxy is not root, children run as its user');
  else if (!tools.setpriv) missing.push('own users: setpriv (util-linux) not found');

  const cgroups = probeCgroups(parentName, missing);
  let bubblewrap = false;
  if (!tools.bwrap) missing.push('filesystem sandbox: bwrap not found (Debian package bubblewrap)');
  else {
    const run = spawnSync(tools.bwrap, ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--die-with-parent', 'true'], {
      timeout: 5000,
      encoding: 'utf8',
    });
    bubblewrap = run.status === 0;
    if (!bubblewrap) missing.push(`filesystem sandbox: bwrap cannot create namespaces here (${(run.stderr || run.error?.message || 'failed').trim()})`);
  }
  return { root: isRoot, tools, cgroups, bubblewrap, missing };
}

function probeCgroups(parentName: string, missing: string[]): CgroupRoots {
  const roots: CgroupRoots = { memory: null, pids: null, cpu: null };
  const memberships = ownCgroups();
  if (memberships.size === 0 && existsSync(join(CGROUP_MOUNT, 'cgroup.controllers'))) {
    missing.push('cgroups: only cgroup v2 is mounted, which this version does not manage yet');
    return roots;
  }
  for (const controller of ['memory', 'pids', 'cpu'] as const) {
    const own = memberships.get(controller);
    const mount = [controller, 'cpu,cpuacct'].map((name) => join(CGROUP_MOUNT, name)).find((dir) => existsSync(join(dir, 'cgroup.procs')));
    if (own === undefined || !mount) {
      missing.push(`cgroup ${controller}: controller not mounted`);
      continue;
    }
    // Under the proxy's own cgroup, so the host's limits on the proxy still hold for its children.
    const parent = join(mount, own, parentName);
    try {
      mkdirSync(parent, { recursive: true });
      accessSync(join(parent, 'cgroup.procs'), constants.W_OK);
      roots[controller] = parent;
    } catch (error) {
      missing.push(`cgroup ${controller}: cannot create a child cgroup (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return roots;
}

/** controller → path of this process's cgroup in that hierarchy (cgroup v1 lines of /proc/self/cgroup). */
function ownCgroups(): Map<string, string> {
  const result = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return result;
  }
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (!controllers || path === undefined) continue;
    for (const controller of controllers.split(',')) result.set(controller, path);
  }
  return result;
}

function findProgram(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Next directory.
    }
  }
  return null;
}
