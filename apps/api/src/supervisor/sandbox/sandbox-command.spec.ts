import { bubblewrapArgs, prlimitArgs, SandboxLayers, SandboxTools, wrapCommand } from './sandbox-command';

const TOOLS: SandboxTools = { sh: '/bin/sh', prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', bwrap: '/usr/bin/bwrap' };
const SPEC = { command: 'node', args: ['server.js', '--flag'], cwd: '/srv/clones/.homes/svc', env: { PATH: '/usr/bin' } };
const NONE: SandboxLayers = { cgroupProcs: [], rlimits: {}, filesystem: null, user: null };

describe('wrapCommand', () => {
  it('leaves the command alone when no layer applies', () => {
    expect(wrapCommand(SPEC, NONE, TOOLS)).toEqual(SPEC);
  });

  it('nests the layers outermost first: cgroups, rlimits, filesystem, user, then the server with its own arguments', () => {
    const wrapped = wrapCommand(
      SPEC,
      {
        cgroupProcs: ['/cg/memory/x/cgroup.procs', '/cg/pids/x/cgroup.procs'],
        rlimits: { nofile: 1024 },
        filesystem: { readable: [], hideDirectories: [], hideFiles: [], writable: [] },
        user: { uid: 200001, gid: 200001 },
      },
      TOOLS,
    );
    const argv = [wrapped.command, ...wrapped.args];
    const at = (program: string): number => argv.indexOf(program);
    expect(wrapped.command).toBe('/bin/sh');
    expect(argv.slice(3, 7)).toEqual(['mcp-sandbox', '2', '/cg/memory/x/cgroup.procs', '/cg/pids/x/cgroup.procs']);
    expect(at('/usr/bin/prlimit')).toBeGreaterThan(at('/cg/pids/x/cgroup.procs'));
    expect(at('/usr/bin/bwrap')).toBeGreaterThan(at('/usr/bin/prlimit'));
    expect(at('/usr/bin/setpriv')).toBeGreaterThan(at('/usr/bin/bwrap'));
    expect(argv.slice(at('/usr/bin/setpriv'))).toEqual([
      '/usr/bin/setpriv',
      '--reuid=200001',
      '--regid=200001',
      '--clear-groups',
      '--inh-caps=-all',
      '--no-new-privs',
      '--',
      'node',
      'server.js',
      '--flag',
    ]);
    expect(wrapped.cwd).toBe(SPEC.cwd);
    expect(wrapped.env).toBe(SPEC.env);
  });

  it.each([
    ['setpriv', { ...NONE, user: { uid: 1, gid: 1 } }, { ...TOOLS, setpriv: null }],
    ['bwrap', { ...NONE, filesystem: { hideDirectories: [], hideFiles: [], writable: [] } }, { ...TOOLS, bwrap: null }],
    ['prlimit', { ...NONE, rlimits: { nofile: 10 } }, { ...TOOLS, prlimit: null }],
  ])('refuses a layer whose tool is missing (%s)', (tool, layers, tools) => {
    expect(() => wrapCommand(SPEC, layers as SandboxLayers, tools)).toThrow(tool);
  });
});

describe('prlimitArgs', () => {
  it.each([
    [{}, []],
    [{ nofile: 1024 }, ['--nofile=1024:1024']],
    [{ nproc: 64 }, ['--nproc=64:64']],
    [{ cpuSeconds: 30 }, ['--cpu=30:35']],
    [{ addressSpaceBytes: 1048576 }, ['--as=1048576:1048576']],
    [{ nofile: 0, nproc: 0 }, []],
  ])('%p → %p', (rlimits, expected) => {
    expect(prlimitArgs(rlimits)).toEqual(expected);
  });
});

describe('bubblewrapArgs', () => {
  const args = bubblewrapArgs(
    {
      readable: ['/tmp/proxy'],
      hideDirectories: ['/srv/clones', '/srv/data'],
      hideFiles: ['/srv/.env'],
      writable: ['/srv/clones/.homes/svc'],
    },
    '/srv/clones/.homes/svc',
  );

  it('keeps the process group (no new session) and gives the child its own pid namespace', () => {
    expect(args).not.toContain('--new-session');
    expect(args).toContain('--unshare-pid');
    expect(args).toContain('--die-with-parent');
  });

  it('keeps a command root under /tmp, read-only, over the private /tmp and before any hide', () => {
    const joined = args.join(' ');
    expect(joined).toContain('--tmpfs /tmp --ro-bind /tmp/proxy /tmp/proxy --tmpfs /srv/data');
  });

  it('hides before it binds, and lets the service user through the directories it creates on the way', () => {
    const joined = args.join(' ');
    expect(joined).toContain('--tmpfs /srv/data --tmpfs /srv/clones --ro-bind /dev/null /srv/.env');
    expect(joined).toContain('--perms 0711 --dir /srv/clones/.homes --bind /srv/clones/.homes/svc /srv/clones/.homes/svc');
    expect(joined.indexOf('--tmpfs /srv/clones')).toBeLessThan(joined.indexOf('--bind'));
    expect(args.slice(-2)).toEqual(['--chdir', '/srv/clones/.homes/svc']);
  });
});
