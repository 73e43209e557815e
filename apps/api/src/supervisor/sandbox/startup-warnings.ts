import type { AppEnv } from '../../core/config/env.schema';
import type { EffectiveLimits } from './effective-limits';
import type { HostCapabilities } from './host-capabilities';

/**
 * The start-up warnings about this host's capabilities, by one rule: warn about what the configuration
 * asks for and the host cannot give (SANDBOX_FILESYSTEM=bubblewrap without a working bwrap, a limit that is
 * set but cannot be enforced), never about a layer that is only used where it helps (`auto`): what the
 * children end up with is said once, by the isolation line.
 */
export interface StartupFacts {
  host: HostCapabilities;
  filesystemSetting: AppEnv['SANDBOX_FILESYSTEM'];
  /** Children get users of their own by default. */
  ownUsers: boolean;
  /** The default limits (SANDBOX_*): 0 = none asked for. */
  limits: EffectiveLimits;
}

export function startupWarnings({ host, filesystemSetting, ownUsers, limits }: StartupFacts): string[] {
  const warnings: string[] = [];
  if (filesystemSetting === 'bubblewrap' && !host.bubblewrap) {
    warnings.push(
      `SANDBOX_FILESYSTEM=bubblewrap, but ${reasonFor(host, 'filesystem sandbox')}: MCP servers start without the filesystem sandbox`,
    );
  }
  const unenforced: string[] = [];
  if (limits.memoryMb > 0 && !host.cgroups.memory)
    unenforced.push(`memory ${limits.memoryMb} MB (SANDBOX_MEMORY_MB): ${reasonFor(host, 'cgroup memory')}`);
  if (limits.cpuPercent > 0 && !host.cgroups.cpu)
    unenforced.push(`CPU ${limits.cpuPercent}% (SANDBOX_CPU_PERCENT): ${reasonFor(host, 'cgroup cpu')}`);
  // Without the pids cgroup, RLIMIT_NPROC stands in, but only for a user of the service's own (it counts every process of the user).
  if (limits.maxProcesses > 0 && !host.cgroups.pids && !(ownUsers && host.tools.prlimit)) {
    unenforced.push(`processes ${limits.maxProcesses} (SANDBOX_MAX_PROCESSES): ${reasonFor(host, 'cgroup pids')}`);
  }
  if (!host.tools.prlimit) {
    const rlimits: [number, string][] = [
      [limits.maxOpenFiles, `open files ${limits.maxOpenFiles} (SANDBOX_MAX_OPEN_FILES)`],
      [limits.cpuSeconds, `CPU time ${limits.cpuSeconds} s (SANDBOX_CPU_SECONDS)`],
      [limits.addressSpaceMb, `address space ${limits.addressSpaceMb} MB (SANDBOX_ADDRESS_SPACE_MB)`],
    ];
    for (const [value, label] of rlimits) if (value > 0) unenforced.push(`${label}: ${reasonFor(host, 'per-process limits')}`);
  }
  if (unenforced.length > 0)
    warnings.push(`Limits set for MCP servers that this host cannot enforce (0 switches one off): ${unenforced.join('; ')}`);
  return warnings;
}

/** The host's own words for a missing layer ("bwrap not found (Debian package bubblewrap)"). */
export function reasonFor(host: HostCapabilities, layer: string): string {
  // A line about cgroups as a whole ("cgroups: only cgroup v2 is mounted…") explains each controller.
  const reason =
    host.missing.find((line) => line.startsWith(layer)) ??
    (layer.startsWith('cgroup ') ? host.missing.find((line) => line.startsWith('cgroups:')) : undefined);
  return reason ? reason.slice(reason.indexOf(':') + 1).trim() : 'not available on this host';
}
