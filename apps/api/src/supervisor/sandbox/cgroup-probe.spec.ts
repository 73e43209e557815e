import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroups, probeCgroups } from './cgroup-probe';
import { ChildCgroup, removeStaleParents } from './child-cgroup';
import { CGROUP_PARENT_PREFIX, HostCapabilities, hostLimits } from './host-capabilities';

/** A directory laid out like /sys/fs/cgroup, with the files the kernel would show. */
function fakeCgroupfs(root: string, cgroups: Record<string, Record<string, string>>): void {
  for (const [path, files] of Object.entries(cgroups)) {
    mkdirSync(join(root, path), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, path, file), text);
  }
}

const read = (file: string) => readFileSync(file, 'utf8');

describe('cgroup hierarchies of a host', () => {
  const v1Mounts = [
    'tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0',
    'cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0',
    'cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0',
    'cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0',
    'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0',
  ];
  const v1Self = [
    '12:pids:/system.slice/mcp-proxy.service',
    '4:memory:/system.slice/mcp-proxy.service',
    '3:cpu,cpuacct:/system.slice/mcp-proxy.service',
    '1:name=systemd:/system.slice/mcp-proxy.service',
  ];
  /** The v1 controllers the probe finds on those mounts, each with the service's own cgroup. */
  const v1Controllers = [
    ['memory', { mount: '/sys/fs/cgroup/memory', path: '/system.slice/mcp-proxy.service' }],
    ['pids', { mount: '/sys/fs/cgroup/pids', path: '/system.slice/mcp-proxy.service' }],
    ['cpu', { mount: '/sys/fs/cgroup/cpu,cpuacct', path: '/system.slice/mcp-proxy.service' }],
  ];

  it.each([
    {
      host: 'v2 only (Debian 12, Ubuntu 22.04, Fedora, Docker)',
      mounts: ['cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0'],
      self: ['0::/system.slice/mcp-proxy.service'],
      layout: 'v2',
      v2: { mount: '/sys/fs/cgroup', path: '/system.slice/mcp-proxy.service' },
      v1: [],
    },
    {
      host: 'hybrid (v1 controllers, an empty v2 mount beside them)',
      mounts: [...v1Mounts, 'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0'],
      self: [...v1Self, '0::/system.slice/mcp-proxy.service'],
      layout: 'hybrid',
      v2: {
        mount: '/sys/fs/cgroup/unified',
        path: '/system.slice/mcp-proxy.service',
      },
      v1: v1Controllers,
    },
    {
      host: 'v1 only',
      mounts: v1Mounts,
      self: v1Self,
      layout: 'v1',
      v2: null,
      v1: v1Controllers,
    },
    {
      host: 'no cgroups mounted',
      mounts: ['proc /proc proc rw 0 0'],
      self: [],
      layout: 'none',
      v2: null,
      v1: [],
    },
  ])('$host → $layout', ({ mounts, self, layout, v1, v2 }) => {
    const found = detectCgroups({
      mounts: ['sysfs /sys sysfs rw 0 0', ...mounts].join('\n'),
      selfCgroup: self.join('\n'),
    });
    expect(found.layout).toBe(layout);
    expect(found.v2).toEqual(v2);
    expect([...found.v1]).toEqual(expect.arrayContaining(v1));
    expect(found.v1.size).toBe(v1.length);
  });

  it('reads a mount point with a space in it', () => {
    const found = detectCgroups({
      mounts: 'cgroup2 /mnt/my\\040cgroups cgroup2 rw 0 0',
      selfCgroup: '0::/',
    });
    expect(found.v2).toEqual({ mount: '/mnt/my cgroups', path: '/' });
  });
});

describe('cgroup v2 in a delegated subtree', () => {
  const unit = '/system.slice/mcp-proxy.service';
  let tmp: string;
  let root: string;
  let mounts: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'cgroupfs-'));
    root = join(tmp, 'sys', 'fs', 'cgroup');
    mounts = `sysfs /sys sysfs rw 0 0\ncgroup2 ${root} cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n`;
    fakeCgroupfs(root, {
      '': {
        'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
        'cgroup.procs': '1\n',
        'cgroup.subtree_control': 'cpu memory pids\n',
      },
      '/system.slice': {
        'cgroup.controllers': 'cpu memory pids\n',
        'cgroup.procs': '',
        'cgroup.subtree_control': 'cpu memory pids\n',
      },
      // A unit with Delegate=yes: its own cgroup, writable, with the controllers available and the launcher and the API in it.
      [unit]: {
        'cgroup.controllers': 'cpu memory pids\n',
        'cgroup.procs': '4100\n4123\n',
        'cgroup.subtree_control': '',
      },
    });
  });

  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("moves the proxy's processes into a leaf, enables the controllers below its cgroup and puts the children's parent there", () => {
    const missing: string[] = [];
    const probe = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', missing);

    const parent = join(root, unit, 'mcp-proxy-4123-abcdef');
    expect(probe).toEqual({
      layout: 'v2',
      version: 2,
      roots: { memory: parent, pids: parent, cpu: parent },
    });
    expect(missing).toEqual([]);
    // "No internal processes": the unit's cgroup may enable controllers for its children only once its processes are in a leaf.
    expect(read(join(root, unit, 'proxy', 'cgroup.procs'))).toBe('4100\n4123\n');
    expect(read(join(root, unit, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
    expect(read(join(parent, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
  });

  it('uses only the controllers delegated to it and says which are missing', () => {
    writeFileSync(join(root, unit, 'cgroup.controllers'), 'memory pids\n');
    const missing: string[] = [];
    const probe = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', missing);

    expect(probe.roots.cpu).toBeNull();
    expect(probe.roots.memory).toBe(join(root, unit, 'mcp-proxy-4123-abcdef'));
    expect(read(join(root, unit, 'cgroup.subtree_control'))).toBe('+memory +pids');
    expect(missing).toEqual([
      `cgroup cpu: cgroup v2: controller not delegated to the proxy's cgroup ${unit} (add it to Delegate= or to the parent's cgroup.subtree_control)`,
    ]);
  });

  it('restarted inside the leaf an earlier start made, it manages from the delegated cgroup above it', () => {
    fakeCgroupfs(root, {
      [`${unit}/proxy`]: {
        'cgroup.controllers': 'cpu memory pids\n',
        'cgroup.procs': '4100\n5200\n',
        'cgroup.subtree_control': '',
      },
    });
    writeFileSync(join(root, unit, 'cgroup.procs'), '');
    const missing: string[] = [];
    const probe = probeCgroups({ mounts, selfCgroup: `0::${unit}/proxy\n` }, 'mcp-proxy-5200-abcdef', missing);

    expect(probe.roots.memory).toBe(join(root, unit, 'mcp-proxy-5200-abcdef'));
    expect(existsSync(join(root, unit, 'proxy', 'proxy'))).toBe(false);
    expect(missing).toEqual([]);
  });

  it('leaves a cgroup that is not delegated to it untouched and says why no limit can be enforced', () => {
    // Not writable by the proxy (the kernel shows no cgroup.subtree_control it could write here).
    rmSync(join(root, unit, 'cgroup.subtree_control'));
    const missing: string[] = [];
    const probe = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', missing);

    expect(probe.roots).toEqual({ memory: null, pids: null, cpu: null });
    expect(existsSync(join(root, unit, 'proxy'))).toBe(false);
    expect(existsSync(join(root, unit, 'mcp-proxy-4123-abcdef'))).toBe(false);
    expect(missing).toHaveLength(3);
    expect(missing[0]).toMatch(
      /^cgroup memory: cgroup v2: the proxy's cgroup \/system.slice\/mcp-proxy.service is not delegated to it .*Delegate=yes/,
    );
  });

  it('on a hybrid host writes its limits in v1 and leaves the empty v2 mount alone', () => {
    const unified = join(tmp, 'unified');
    fakeCgroupfs(unified, {
      [unit]: {
        'cgroup.controllers': '',
        'cgroup.procs': '4123\n',
        'cgroup.subtree_control': '',
      },
    });
    fakeCgroupfs(join(tmp, 'memory'), { [unit]: { 'cgroup.procs': '4123\n' } });
    const probe = probeCgroups(
      {
        mounts: `cgroup ${join(tmp, 'memory')} cgroup rw,memory 0 0\ncgroup2 ${unified} cgroup2 rw 0 0\n`,
        selfCgroup: `4:memory:${unit}\n0::${unit}\n`,
      },
      'mcp-proxy-4123-abcdef',
      [],
    );

    expect(probe.layout).toBe('hybrid');
    expect(probe.version).toBe(1);
    expect(existsSync(join(tmp, 'memory', unit, 'mcp-proxy-4123-abcdef'))).toBe(true);
    expect(existsSync(join(unified, unit, 'proxy'))).toBe(false);
  });

  it('writes memory.max in bytes, no swap, pids.max and cpu.max as "quota period" into one cgroup per child', () => {
    const { roots } = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', []);
    const cgroup = ChildCgroup.create(roots, 'weather-1a2b', { memoryBytes: 256 * 1024 * 1024, maxTasks: 64, cpuPercent: 50 }, 2);
    const dir = join(root, unit, 'mcp-proxy-4123-abcdef', 'weather-1a2b');

    expect(read(join(dir, 'memory.max'))).toBe('268435456');
    expect(read(join(dir, 'memory.swap.max'))).toBe('0');
    expect(read(join(dir, 'pids.max'))).toBe('64');
    expect(read(join(dir, 'cpu.max'))).toBe('50000 100000');
    expect(cgroup.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
    expect(cgroup.controllers).toEqual(['memory', 'pids', 'cpu']);
  });

  it('uses only the controllers that have a limit to enforce', () => {
    const { roots } = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', []);
    const cgroup = ChildCgroup.create(roots, 'weather-1a2b', { memoryBytes: 0, maxTasks: 64, cpuPercent: 0 }, 2);
    const dir = join(root, unit, 'mcp-proxy-4123-abcdef', 'weather-1a2b');

    expect(cgroup.controllers).toEqual(['pids']);
    expect(existsSync(join(dir, 'memory.max'))).toBe(false);
    expect(existsSync(join(dir, 'cpu.max'))).toBe(false);
  });

  it('reads an OOM kill from memory.events and a refused fork from pids.events', () => {
    const { roots } = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, 'mcp-proxy-4123-abcdef', []);
    const cgroup = ChildCgroup.create(roots, 'weather-1a2b', { memoryBytes: 64 * 1024 * 1024, maxTasks: 16, cpuPercent: 0 }, 2);
    const dir = join(root, unit, 'mcp-proxy-4123-abcdef', 'weather-1a2b');
    expect(cgroup.counters()).toEqual({ oomKills: 0, forksRefused: 0 });

    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n');
    writeFileSync(join(dir, 'pids.events'), 'max 3\n');
    expect(cgroup.counters()).toEqual({ oomKills: 1, forksRefused: 3 });
  });

  it("removes what a proxy that is gone left behind, and nothing of a running one's", () => {
    const alive = 4123;
    fakeCgroupfs(root, {
      [`${unit}/mcp-proxy-999999-0a0b0c/weather-1a2b`]: {},
      [`${unit}/mcp-proxy-${alive}-0d0e0f/notes-3c4d`]: {},
      [`${unit}/proxy`]: {},
    });
    const { roots } = probeCgroups({ mounts, selfCgroup: `0::${unit}\n` }, `${CGROUP_PARENT_PREFIX}${alive}-abcdef`, []);

    removeStaleParents(roots, CGROUP_PARENT_PREFIX, (pid) => pid === alive);

    expect(existsSync(join(root, unit, 'mcp-proxy-999999-0a0b0c'))).toBe(false);
    expect(existsSync(join(root, unit, `mcp-proxy-${alive}-0d0e0f`, 'notes-3c4d'))).toBe(true);
    expect(existsSync(join(root, unit, 'proxy'))).toBe(true);
  });
});

describe('hostLimits', () => {
  it('says which limits are enforced and, once per reason, why the others are not', () => {
    const host: HostCapabilities = {
      root: false,
      tools: {
        sh: '/bin/sh',
        prlimit: '/usr/bin/prlimit',
        setpriv: null,
        bwrap: null,
      },
      cgroups: { memory: null, pids: null, cpu: null },
      cgroupLayout: 'v2',
      cgroupVersion: 2,
      bubblewrap: false,
      missing: [
        'own users: the proxy is not root, children run as its user',
        "cgroup memory: cgroup v2: the proxy's cgroup /user.slice is not delegated to it",
        "cgroup pids: cgroup v2: the proxy's cgroup /user.slice is not delegated to it",
        "cgroup cpu: cgroup v2: the proxy's cgroup /user.slice is not delegated to it",
      ],
    };
    expect(hostLimits(host)).toEqual({
      cgroup: 'v2',
      memory: false,
      pids: false,
      cpu: false,
      perProcess: true,
      reason: "memory, pids, cpu: cgroup v2: the proxy's cgroup /user.slice is not delegated to it",
    });
  });
});
