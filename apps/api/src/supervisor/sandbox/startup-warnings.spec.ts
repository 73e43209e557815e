import type { EffectiveLimits } from './effective-limits';
import type { HostCapabilities } from './host-capabilities';
import { StartupFacts, startupWarnings } from './startup-warnings';

const NO_LIMITS: EffectiveLimits = {
  memoryMb: 0,
  cpuPercent: 0,
  maxProcesses: 0,
  maxOpenFiles: 0,
  cpuSeconds: 0,
  addressSpaceMb: 0,
};
const DEFAULT_LIMITS: EffectiveLimits = {
  ...NO_LIMITS,
  memoryMb: 2048,
  maxProcesses: 512,
  maxOpenFiles: 4096,
};

/** A root host with every layer but bubblewrap. */
function host(overrides: Partial<HostCapabilities> = {}): HostCapabilities {
  return {
    root: true,
    tools: {
      sh: '/bin/sh',
      prlimit: '/usr/bin/prlimit',
      setpriv: '/usr/bin/setpriv',
      bwrap: null,
    },
    cgroups: {
      memory: '/sys/fs/cgroup/memory/p',
      pids: '/sys/fs/cgroup/pids/p',
      cpu: '/sys/fs/cgroup/cpu/p',
    },
    cgroupLayout: 'v1',
    cgroupVersion: 1,
    bubblewrap: false,
    missing: ['filesystem sandbox: bwrap not found (Debian package bubblewrap)'],
    ...overrides,
  };
}

function facts(overrides: Partial<StartupFacts> = {}): StartupFacts {
  return {
    host: host(),
    filesystemSetting: 'auto',
    ownUsers: true,
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
}

describe('startupWarnings', () => {
  it('says nothing about bubblewrap when nothing asks for it (auto as root, or none)', () => {
    expect(startupWarnings(facts())).toEqual([]);
    expect(startupWarnings(facts({ filesystemSetting: 'none', ownUsers: false }))).toEqual([]);
    // auto without own users: the isolation line says the servers are unprotected, and why.
    expect(startupWarnings(facts({ ownUsers: false, host: host({ root: false }) }))).toEqual([]);
  });

  it('warns, naming the setting and the reason, when SANDBOX_FILESYSTEM=bubblewrap cannot be had', () => {
    expect(startupWarnings(facts({ filesystemSetting: 'bubblewrap' }))).toEqual([
      'SANDBOX_FILESYSTEM=bubblewrap, but bwrap not found (Debian package bubblewrap): MCP servers start without the filesystem sandbox',
    ]);
    expect(
      startupWarnings(
        facts({
          filesystemSetting: 'bubblewrap',
          host: host({ bubblewrap: true, missing: [] }),
        }),
      ),
    ).toEqual([]);
  });

  it('warns once about the limits that are set and cannot be enforced, and not about those switched off', () => {
    const bare = host({
      tools: { sh: '/bin/sh', prlimit: null, setpriv: null, bwrap: null },
      cgroups: { memory: null, pids: null, cpu: null },
      missing: [
        'per-process limits: prlimit (util-linux) not found',
        'cgroup memory: controller not mounted',
        'cgroup pids: controller not mounted',
        'cgroup cpu: controller not mounted',
      ],
    });
    const [warning, ...others] = startupWarnings(facts({ host: bare, ownUsers: false }));
    expect(others).toEqual([]);
    expect(warning).toBe(
      'Limits set for MCP servers that this host cannot enforce (0 switches one off): memory 2048 MB (SANDBOX_MEMORY_MB): controller not mounted; ' +
        'processes 512 (SANDBOX_MAX_PROCESSES): controller not mounted; open files 4096 (SANDBOX_MAX_OPEN_FILES): prlimit (util-linux) not found',
    );
    expect(startupWarnings(facts({ host: bare, ownUsers: false, limits: NO_LIMITS }))).toEqual([]);
  });

  it('explains each controller by a line about cgroups as a whole', () => {
    const v2Only = host({
      cgroups: { memory: null, pids: null, cpu: null },
      missing: ['cgroups: only cgroup v2 is mounted, which this version does not manage yet'],
    });
    expect(startupWarnings(facts({ host: v2Only, ownUsers: true }))).toEqual([
      'Limits set for MCP servers that this host cannot enforce (0 switches one off): memory 2048 MB (SANDBOX_MEMORY_MB): only cgroup v2 is mounted, which this version does not manage yet',
    ]);
  });

  it('takes RLIMIT_NPROC for the process limit where servers have users of their own', () => {
    const noPids = host({
      cgroups: { memory: '/m', pids: null, cpu: null },
      missing: ['cgroup pids: controller not mounted'],
    });
    expect(startupWarnings(facts({ host: noPids, ownUsers: true }))).toEqual([]);
    expect(startupWarnings(facts({ host: noPids, ownUsers: false }))).toEqual([
      expect.stringContaining('processes 512 (SANDBOX_MAX_PROCESSES)'),
    ]);
  });
});
