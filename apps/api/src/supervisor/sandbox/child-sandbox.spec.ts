import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../core/config/app-config';
import type { AppEnv } from '../../core/config/env.schema';
import { AppLogger } from '../../core/logging/app-logger';
import { ServiceEntity } from '../../services/service.entity';
import { probeCgroups } from './cgroup-probe';
import { ChildSandbox } from './child-sandbox';
import type { HostCapabilities } from './host-capabilities';

/** A host without root, cgroups or bubblewrap, but with prlimit: what a proxy run by a normal user gets. */
const UNPRIVILEGED_HOST: HostCapabilities = {
  root: false,
  tools: { sh: '/bin/sh', prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', bwrap: null },
  cgroups: { memory: null, pids: null, cpu: null },
  cgroupLayout: 'v1',
  cgroupVersion: 1,
  bubblewrap: false,
  missing: [
    'own users: the proxy is not root, children run as its user',
    'cgroup memory: controller not mounted',
    'cgroup pids: controller not mounted',
    'cgroup cpu: controller not mounted',
    'filesystem sandbox: bwrap not found (Debian package bubblewrap)',
  ],
};

function fakeConfig(dir: string): AppConfig {
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
  return { get: (key: keyof AppEnv) => env[key], dataDir: env.DATA_DIR, isPostgres: false } as unknown as AppConfig;
}

function entity(process: Partial<ServiceEntity['process']> = {}): ServiceEntity {
  return Object.assign(new ServiceEntity(), {
    id: 'svc-1',
    name: 'weather',
    process: { command: 'node', args: ['server.js'], cwd: null, isolation: 'shared', ...process },
  });
}

const spec = { command: 'node', args: ['server.js'], cwd: '/srv/weather', env: { PATH: '/usr/bin', HOME: '/home/proxy' } };

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
    sandbox = new SandboxOnFakeHost(fakeConfig(dir), UNPRIVILEGED_HOST);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
    expect(launch.status.notApplied).toEqual([
      "isolation: the server runs with the proxy's own rights and can read its secrets (no user of its own, no bubblewrap)",
    ]);
    expect(launch.status.limits).toEqual({
      memoryMb: 0,
      cpuPercent: 0,
      maxProcesses: 0,
      maxOpenFiles: 256,
      cpuSeconds: 30,
      addressSpaceMb: 0,
    });
  });

  it('explains a death by SIGXCPU as the CPU time limit, and leaves other exits to the supervisor', () => {
    const launch = sandbox.prepare({
      entity: entity({
        limits: { memoryMb: null, cpuPercent: null, maxProcesses: null, maxOpenFiles: null, cpuSeconds: 5, addressSpaceMb: null },
      }),
      spec,
      defaultCwd: false,
    });
    expect(launch.explainExit(null, 'SIGXCPU')).toBe('killed by CPU time limit 5 s');
    expect(launch.explainExit(1, null)).toBeNull();
    expect(launch.explainExit(null, 'SIGKILL')).toBeNull();
  });
});

describe('ChildSandbox on a cgroup v2 host (a tree laid out like cgroupfs)', () => {
  const unit = '/system.slice/mcp-proxy.service';
  let dir: string;
  let root: string;
  let sandbox: ChildSandbox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-sandbox-v2-'));
    root = join(dir, 'cgroup');
    mkdirSync(join(root, unit), { recursive: true });
    writeFileSync(join(root, unit, 'cgroup.controllers'), 'cpu memory pids\n');
    writeFileSync(join(root, unit, 'cgroup.procs'), '4123\n');
    writeFileSync(join(root, unit, 'cgroup.subtree_control'), '');
    const missing: string[] = [];
    const probe = probeCgroups({ mounts: `cgroup2 ${root} cgroup2 rw 0 0`, selfCgroup: `0::${unit}` }, 'mcp-proxy-4123-abcdef', missing);
    sandbox = new SandboxOnFakeHost(fakeConfig(dir), {
      ...UNPRIVILEGED_HOST,
      cgroups: probe.roots,
      cgroupLayout: probe.layout,
      cgroupVersion: probe.version,
      missing: UNPRIVILEGED_HOST.missing.filter((line) => !line.startsWith('cgroup ')).concat(missing),
    });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('caps memory and processes in one cgroup the child joins first, and says "killed by memory limit" after an OOM kill', () => {
    const launch = sandbox.prepare({ entity: entity({ sandbox: { user: 'none', filesystem: 'none' } }), spec, defaultCwd: false });
    const child = readdirSync(join(root, unit, 'mcp-proxy-4123-abcdef'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(child).toHaveLength(1);
    const cgroup = join(root, unit, 'mcp-proxy-4123-abcdef', child[0].name);

    expect(launch.status.applied).toEqual(['cgroup memory 2048 MB', 'cgroup pids 512', 'RLIMIT_NOFILE 4096']);
    expect(launch.status.notApplied).not.toContainEqual(expect.stringMatching(/^(memory|processes)/));
    expect(readFileSync(join(cgroup, 'memory.max'), 'utf8')).toBe(String(2048 * 1024 * 1024));
    expect(readFileSync(join(cgroup, 'pids.max'), 'utf8')).toBe('512');
    expect(launch.spec.command).toBe('/bin/sh');
    expect(launch.spec.args.slice(3, 5)).toEqual(['1', join(cgroup, 'cgroup.procs')]);
    expect(launch.explainExit(null, 'SIGKILL')).toBeNull();

    writeFileSync(join(cgroup, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
    expect(launch.explainExit(null, 'SIGKILL')).toBe('killed by memory limit 2048 MB');
  });

  it('reports in /health which limits are enforced here', () => {
    expect(sandbox.isolation().limits).toEqual({ cgroup: 'v2', memory: true, pids: true, cpu: true, perProcess: true, reason: null });
  });

  it('where its cgroup is not delegated, says so in the service view and in /health instead of limiting nothing silently', () => {
    const missing: string[] = [];
    const probe = probeCgroups(
      { mounts: `cgroup2 ${root} cgroup2 rw 0 0`, selfCgroup: '0::/user.slice/user-1000.slice/session-2.scope' },
      'mcp-proxy-4123-abcdef',
      missing,
    );
    const undelegated = new SandboxOnFakeHost(fakeConfig(dir), {
      ...UNPRIVILEGED_HOST,
      cgroups: probe.roots,
      cgroupLayout: probe.layout,
      cgroupVersion: probe.version,
      missing: UNPRIVILEGED_HOST.missing.filter((line) => !line.startsWith('cgroup ')).concat(missing),
    });
    const why = "cgroup v2: the proxy's cgroup /user.slice/user-1000.slice/session-2.scope is not delegated to it";

    const launch = undelegated.prepare({ entity: entity({ sandbox: { user: 'none', filesystem: 'none' } }), spec, defaultCwd: false });
    expect(launch.status.notApplied).toContainEqual(expect.stringContaining(`memory 2048 MB: ${why}`));
    expect(launch.status.applied).not.toContainEqual(expect.stringMatching(/^cgroup/));
    expect(undelegated.isolation().limits).toMatchObject({
      cgroup: 'v2',
      memory: false,
      pids: false,
      cpu: false,
      perProcess: true,
      reason: expect.stringContaining(`memory, pids, cpu: ${why}`),
    });
  });
});
