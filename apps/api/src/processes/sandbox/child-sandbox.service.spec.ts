import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../core/config/app-config.service';
import type { AppEnv } from '../../core/config/env.schema';
import { AppLogger } from '../../core/logging/app-logger';
import { ServiceEntity } from '../service.entity';
import { ChildSandbox } from './child-sandbox.service';
import type { HostCapabilities } from './host-capabilities';

/** A host without root, cgroups or bubblewrap, but with prlimit: what a proxy run by a normal user gets. */
const UNPRIVILEGED_HOST: HostCapabilities = {
  root: false,
  tools: { sh: '/bin/sh', prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', bwrap: null },
  cgroups: { memory: null, pids: null, cpu: null },
  bubblewrap: false,
  missing: [
    'own users: the proxy is not root, children run as its user',
    'cgroup memory: controller not mounted',
    'cgroup pids: controller not mounted',
    'cgroup cpu: controller not mounted',
    'filesystem sandbox: bwrap not found (Debian package bubblewrap)',
  ],
};

class SandboxOnFakeHost extends ChildSandbox {
  constructor(
    config: AppConfig,
    private readonly fakeHost: HostCapabilities,
  ) {
    super(config, new AppLogger('silent'));
  }

  override capabilities(): HostCapabilities {
    return this.fakeHost;
  }
}

describe('ChildSandbox on a host that offers little', () => {
  let dir: string;
  let sandbox: ChildSandbox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-sandbox-'));
    const env: Partial<AppEnv> = {
      DATA_DIR: join(dir, 'data'),
      CLONE_DIRECTORY: join(dir, 'clones'),
      LOG_DIR: join(dir, 'logs'),
      DATABASE_URL: join(dir, 'data', 'db.sqlite'),
      SANDBOX_USER: 'auto',
      SANDBOX_FILESYSTEM: 'none',
      SANDBOX_UID_BASE: 200000,
      SANDBOX_MEMORY_MB: 2048,
      SANDBOX_CPU_PERCENT: 0,
      SANDBOX_MAX_PROCESSES: 512,
      SANDBOX_MAX_OPEN_FILES: 4096,
      SANDBOX_CPU_SECONDS: 0,
      SANDBOX_ADDRESS_SPACE_MB: 0,
    };
    const config = { get: (key: keyof AppEnv) => env[key], dataDir: env.DATA_DIR, isPostgres: false } as unknown as AppConfig;
    sandbox = new SandboxOnFakeHost(config, UNPRIVILEGED_HOST);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function entity(process: Partial<ServiceEntity['process']> = {}): ServiceEntity {
    return Object.assign(new ServiceEntity(), {
      id: 'svc-1',
      name: 'weather',
      process: { command: 'node', args: ['server.js'], cwd: null, isolation: 'shared', ...process },
    });
  }

  const spec = { command: 'node', args: ['server.js'], cwd: '/srv/weather', env: { PATH: '/usr/bin', HOME: '/home/proxy' } };

  it('applies the rlimits it can, runs as the proxy user, and names every layer it could not apply', () => {
    const launch = sandbox.prepare({ entity: entity({ sandbox: { user: null, filesystem: 'bubblewrap' } }), spec, defaultCwd: false });
    expect(launch.spec.command).toBe('/usr/bin/prlimit');
    expect(launch.spec.args).toEqual(['--nofile=4096:4096', '--', 'node', 'server.js']);
    expect(launch.spec.env).toEqual(spec.env);
    expect(launch.status).toMatchObject({ user: null, uid: null, filesystem: 'none', applied: ['RLIMIT_NOFILE 4096'] });
    expect(launch.status.notApplied).toEqual([
      'own user: the proxy is not root',
      'memory 2048 MB: controller not mounted',
      "processes 512: no pids cgroup (controller not mounted) and RLIMIT_NPROC needs a user of the service's own",
      'filesystem: bwrap not found (Debian package bubblewrap)',
      "isolation: the server runs with the proxy's own rights and can read its secrets (no user of its own, no bubblewrap)",
    ]);
    launch.release();
  });

  it('takes the service limits over the defaults, and of what the service turned off says only that it can read the secrets', () => {
    const launch = sandbox.prepare({
      entity: entity({
        sandbox: { user: 'none', filesystem: 'none' },
        limits: { memoryMb: 0, cpuPercent: null, maxProcesses: 0, maxOpenFiles: 256, cpuSeconds: 30, addressSpaceMb: null },
      }),
      spec,
      defaultCwd: false,
    });
    expect(launch.spec.args).toEqual(['--nofile=256:256', '--cpu=30:35', '--', 'node', 'server.js']);
    expect(launch.status.notApplied).toEqual(["isolation: the server runs with the proxy's own rights and can read its secrets (no user of its own, no bubblewrap)"]);
    expect(launch.status.limits).toEqual({ memoryMb: 0, cpuPercent: 0, maxProcesses: 0, maxOpenFiles: 256, cpuSeconds: 30, addressSpaceMb: 0 });
  });

  it('explains a death by SIGXCPU as the CPU time limit, and leaves other exits to the supervisor', () => {
    const launch = sandbox.prepare({ entity: entity({ limits: { memoryMb: null, cpuPercent: null, maxProcesses: null, maxOpenFiles: null, cpuSeconds: 5, addressSpaceMb: null } }), spec, defaultCwd: false });
    expect(launch.explainExit(null, 'SIGXCPU')).toBe('killed by CPU time limit 5 s');
    expect(launch.explainExit(1, null)).toBeNull();
    expect(launch.explainExit(null, 'SIGKILL')).toBeNull();
  });
});
