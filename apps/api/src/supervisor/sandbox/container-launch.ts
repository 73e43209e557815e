import type { SpawnSpec } from '../spawn/child-spawner';
import type { SandboxedLaunch } from './sandboxed-launch';
import type { EffectiveLimits } from './effective-limits';

/**
 * A container's CLI runs as it is: the engine runs the server, in the container, with the limits the
 * command passed it (--memory, --cpus, --pids-limit, --ulimit). A user of the service's own could not
 * reach the engine's socket, and whoever may use that socket can do anything the engine can anyway.
 */
export function containerLaunch(spec: SpawnSpec, limits: EffectiveLimits, engine: string): SandboxedLaunch {
  const enforced = [
    limits.memoryMb > 0 ? `memory ${limits.memoryMb} MB` : null,
    limits.cpuPercent > 0 ? `CPU ${limits.cpuPercent}%` : null,
    limits.maxProcesses > 0 ? `processes ${limits.maxProcesses}` : null,
    limits.maxOpenFiles > 0 ? `open files ${limits.maxOpenFiles}` : null,
  ].filter((item): item is string => item !== null);
  const perProcess = [
    limits.cpuSeconds > 0 ? `CPU time ${limits.cpuSeconds} s` : null,
    limits.addressSpaceMb > 0 ? `address space ${limits.addressSpaceMb} MB` : null,
  ];
  return {
    spec,
    status: {
      user: null,
      uid: null,
      filesystem: 'none',
      limits,
      applied: [
        `container: the server runs in a ${engine} container${enforced.length > 0 ? ` (${enforced.join(', ')}, enforced by the engine)` : ''}`,
      ],
      notApplied: perProcess.filter((item): item is string => item !== null).map((item) => `${item}: not passed to the container engine`),
    },
    explainExit: () => null,
    watch: () => undefined,
    release: () => undefined,
  };
}
