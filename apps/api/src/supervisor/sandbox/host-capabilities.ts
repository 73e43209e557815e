import type { HostLimitsView } from '@mcp-proxy/shared/dto';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CgroupRoots } from './child-cgroup';
import { CgroupHostFacts, CgroupLayout, probeCgroups, readCgroupFacts } from './cgroup-probe';
import type { SandboxTools } from './sandbox-command';

/** What this host lets the proxy do for its children; probed once at start-up. */
export interface HostCapabilities {
  root: boolean;
  tools: SandboxTools;
  /** Where each controller's child cgroups go; null when the controller cannot be used. */
  cgroups: CgroupRoots;
  /** Which hierarchies the host mounts, and the one the limits are written in (hybrid hosts use v1). */
  cgroupLayout: CgroupLayout;
  cgroupVersion: 1 | 2 | null;
  /** bwrap is installed and can create its namespaces here. */
  bubblewrap: boolean;
  /** One line per layer that is unavailable, and why (logged once at start-up). */
  missing: string[];
}

export const CGROUP_PARENT_PREFIX = 'mcp-proxy-';

/** Finds the tools and probes cgroups and bubblewrap. Never throws: what fails is reported in `missing`. */
/** `parentName`: this proxy's own cgroup under its cgroup in each hierarchy (`mcp-proxy-<pid>-<random>`). */
export function probeHost(
  path: string,
  parentName: string,
  isRoot: boolean,
  cgroupFacts: CgroupHostFacts = readCgroupFacts(),
): HostCapabilities {
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

  const cgroup = probeCgroups(cgroupFacts, parentName, missing);
  let bubblewrap = false;
  if (!tools.bwrap) missing.push('filesystem sandbox: bwrap not found (Debian package bubblewrap)');
  else {
    const run = spawnSync(
      tools.bwrap,
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--die-with-parent', 'true'],
      {
        timeout: 5000,
        encoding: 'utf8',
      },
    );
    bubblewrap = run.status === 0;
    if (!bubblewrap)
      missing.push(`filesystem sandbox: bwrap cannot create namespaces here (${(run.stderr || run.error?.message || 'failed').trim()})`);
  }
  return { root: isRoot, tools, cgroups: cgroup.roots, cgroupLayout: cgroup.layout, cgroupVersion: cgroup.version, bubblewrap, missing };
}

/** Which limits a child gets on this host, with the reasons for those it does not (for /health and the portal). */
export function hostLimits(host: HostCapabilities): HostLimitsView {
  // "cgroup memory: x", "cgroup pids: x" → "memory, pids: x".
  const byReason = new Map<string, string[]>();
  for (const line of host.missing) {
    const match = /^(?:cgroup (\w+)|(per-process limits)): (.*)$/.exec(line);
    if (match) byReason.set(match[3], [...(byReason.get(match[3]) ?? []), match[1] ?? match[2]]);
  }
  const reasons = [...byReason].map(([reason, limits]) => `${limits.join(', ')}: ${reason}`);
  return {
    cgroup: host.cgroupLayout,
    memory: host.cgroups.memory !== null,
    pids: host.cgroups.pids !== null,
    cpu: host.cgroups.cpu !== null,
    perProcess: host.tools.prlimit !== null,
    reason: reasons.length > 0 ? reasons.join('; ') : null,
  };
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
