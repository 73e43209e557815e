import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../core/time/clock';
import { HostRuntimes } from './host-runtimes';
import { CommandContext, ServiceCommands } from './service-commands';
import type { ProbeResult, ToolProbe } from './tool-probe';

/** A host described by its programs: name → path, and what each probe answers. */
function host(
  programs: Record<string, string>,
  answers: Record<string, ProbeResult> = {},
  unreachable: string[] = [],
): ToolProbe & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    findAll: (name) =>
      name.startsWith('/') ? (Object.values(programs).includes(name) ? [name] : []) : programs[name] ? [programs[name]] : [],
    reachableByOthers: (file) => !unreachable.includes(file),
    run: async (command, args) => {
      runs.push([command, ...args].join(' '));
      return answers[command] ?? { code: 0, stdout: '3.11\n', stderr: '' };
    },
  };
}

const CONTEXT: CommandContext = {
  serviceName: 'git',
  transport: 'stdio',
  home: '/srv/homes/git',
  cwd: '/srv/homes/git',
  ownUser: false,
  limits: { memoryMb: 256, cpuPercent: 0, maxProcesses: 64, maxOpenFiles: 0 },
};

function commands(probe: ToolProbe): ServiceCommands {
  return new ServiceCommands(new HostRuntimes(new Clock(), probe, () => '/usr/bin'));
}

describe('service commands on the host they run on', () => {
  it('runs uvx as written where uv is installed, with the caches under the service home', async () => {
    const planned = await commands(host({ uvx: '/usr/bin/uvx' })).plan('uvx', ['mcp-server-git', '--repository', '/r'], CONTEXT);
    expect(planned).toMatchObject({ command: 'uvx', args: ['mcp-server-git', '--repository', '/r'], note: null, container: null });
    expect(planned.env).toMatchObject({
      UV_CACHE_DIR: '/srv/homes/git/.cache/uv',
      PIP_CACHE_DIR: '/srv/homes/git/.cache/pip',
      PIPX_HOME: '/srv/homes/git/.local/pipx',
      PYTHONUNBUFFERED: '1',
    });
  });

  it('runs uvx without uv from a managed virtualenv, with a Python every user may run', async () => {
    const probe = host({ python3: '/root/.pyenv/shims/python3', pipx: '/usr/bin/pipx' }, {}, ['/root/.pyenv/shims/python3']);
    // Two pythons on the PATH: the one in root's home comes last.
    probe.findAll = (name) =>
      name === 'python3' ? ['/root/.pyenv/shims/python3', '/usr/bin/python3'] : name === 'pipx' ? ['/usr/bin/pipx'] : [];
    const planned = await commands(probe).plan('uvx', ['mcp-fixture==1.0.0'], CONTEXT);
    expect(planned.command).toBe('/usr/bin/python3');
    expect(planned.args[3]).toMatch(/^\/srv\/homes\/git\/\.cache\/mcp-proxy\/venvs\/mcp-fixture-1\.0\.0-/);
    expect(planned.note).toMatch(
      /^uvx not found on this host: running mcp-fixture from a virtualenv of its own \(.*, Python 3\.11, pip\)$/,
    );
    expect(probe.runs).toEqual([expect.stringMatching(/^\/usr\/bin\/python3 -I -c import sys, venv, ensurepip/)]);
  });

  it('falls back to pipx when no Python can make a virtualenv', async () => {
    const probe = host(
      { python3: '/usr/bin/python3', pipx: '/usr/bin/pipx' },
      { '/usr/bin/python3': { code: 1, stdout: '', stderr: "ModuleNotFoundError: No module named 'ensurepip'" } },
    );
    const planned = await commands(probe).plan('uvx', ['--from', 'mcp-fixture==1.0.0', 'mcp-fixture', 'x'], CONTEXT);
    expect(planned).toMatchObject({
      command: '/usr/bin/pipx',
      args: ['run', '--spec', 'mcp-fixture==1.0.0', 'mcp-fixture', 'x'],
      note: 'uvx not found on this host: running mcp-fixture with pipx',
    });
  });

  it('runs pipx run with uvx where only uv is installed', async () => {
    const planned = await commands(host({ uvx: '/opt/uv/uvx' })).plan('pipx', ['run', 'mcp-fixture'], CONTEXT);
    expect(planned).toMatchObject({ command: '/opt/uv/uvx', args: ['--from', 'mcp-fixture', 'mcp-fixture'] });
  });

  it.each([
    [
      'uvx',
      ['mcp-server-git'],
      'uvx not found on this host: install uv, or pipx, or a Python 3 with venv (python3 not found on this host)',
    ],
    ['pipx', ['run', 'x'], 'pipx not found on this host: install pipx, or uv, or a Python 3 with venv (python3 not found on this host)'],
    ['uv', ['run', 'server.py'], 'uv not found on this host: install uv'],
    ['python3', ['-m', 'server'], 'python3 not found on this host: install Python 3 (python3)'],
    [
      'docker',
      ['run', '-i', 'mcp/fetch'],
      'docker not found on this host; podman not found on this host: install and start Docker or Podman',
    ],
  ])('says what to install when nothing can run %s', async (command, args, message) => {
    await expect(commands(host({})).plan(command, args, CONTEXT)).rejects.toThrow(message);
  });

  it('names a Python that cannot make virtualenvs and why', async () => {
    const probe = host({ python3: '/usr/bin/python3' }, { '/usr/bin/python3': { code: 1, stdout: '', stderr: "No module named 'venv'" } });
    await expect(commands(probe).plan('uvx', ['x'], CONTEXT)).rejects.toThrow(
      'uvx not found on this host: install uv, or pipx, or a Python 3 with venv (no usable Python 3 on this host: /usr/bin/python3 cannot make virtualenvs with pip (install python3-venv))',
    );
  });

  it('runs python -m as written, and `python` as the host Python 3 where only python3 exists', async () => {
    expect(await commands(host({ python3: '/usr/bin/python3' })).plan('python3', ['-m', 'srv'], CONTEXT)).toMatchObject({
      command: 'python3',
      args: ['-m', 'srv'],
      note: null,
    });
    expect(await commands(host({ python3: '/usr/bin/python3' })).plan('python', ['-m', 'srv'], CONTEXT)).toMatchObject({
      command: '/usr/bin/python3',
      note: 'python not found: using /usr/bin/python3',
    });
  });

  it("gives a child of a user of its own the first Python it may run, by its path (not one in root's home)", async () => {
    const probe = host({}, {}, ['/root/.pyenv/shims/python3']);
    probe.findAll = (name) => (name === 'python3' ? ['/root/.pyenv/shims/python3', '/usr/bin/python3'] : []);
    expect(await commands(probe).plan('python3', ['-m', 'srv'], { ...CONTEXT, ownUser: true })).toMatchObject({
      command: '/usr/bin/python3',
    });
    expect(await commands(probe).plan('python3', ['-m', 'srv'], CONTEXT)).toMatchObject({ command: 'python3' });
  });

  it('runs a container with the engine that answers, named, limited, and knows how to stop it', async () => {
    const probe = host(
      { docker: '/usr/local/bin/docker', podman: '/usr/bin/podman' },
      {
        '/usr/local/bin/docker': { code: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n' },
        '/usr/bin/podman': { code: 0, stdout: '4.3.1\n', stderr: '' },
      },
    );
    const planned = await commands(probe).plan('docker', ['run', '-i', '--rm', '-e', 'TOKEN', 'mcp/fetch', '--x'], CONTEXT);
    expect(planned.command).toBe('/usr/bin/podman');
    expect(planned.args).toEqual([
      'run',
      '-i',
      '--rm',
      '--name',
      expect.stringMatching(/^mcp-proxy-git-[0-9a-f]{8}$/),
      '--memory',
      '256m',
      '--pids-limit',
      '64',
      '-e',
      'TOKEN',
      'mcp/fetch',
      '--x',
    ]);
    expect(planned.container).toMatchObject({ engine: 'podman', cli: '/usr/bin/podman', name: planned.args[4] });
    expect(planned.note).toBe('docker not available here: running the container with podman');
    expect(probe.runs).toEqual([
      '/usr/local/bin/docker version --format {{.Server.Version}}',
      '/usr/bin/podman info --format {{.Version.Version}}',
    ]);
  });

  it('refuses a container with no engine that answers, quoting the engine', async () => {
    const probe = host(
      { docker: '/usr/local/bin/docker' },
      {
        '/usr/local/bin/docker': {
          code: 1,
          stdout: '',
          stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
        },
      },
    );
    await expect(commands(probe).plan('docker', ['run', '-i', 'img'], CONTEXT)).rejects.toThrow(
      'docker is installed but its engine does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); podman not found on this host: install and start Docker or Podman to run "docker run" services',
    );
    await expect(commands(probe).plan('docker', ['run', '-i', 'img'], { ...CONTEXT, transport: 'http' })).rejects.toThrow(
      'docker run serves stdio servers only',
    );
  });

  describe('a virtualenv script', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'venv-check-'));
      mkdirSync(join(dir, 'venv', 'bin'), { recursive: true });
      writeFileSync(join(dir, 'venv', 'bin', 'server'), '#!/bin/sh\n', { mode: 0o755 });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('runs as written, with the Python tools environment', async () => {
      writeFileSync(join(dir, 'venv', 'pyvenv.cfg'), `home = ${tmpdir()}\n`);
      const planned = await commands(host({})).plan(join(dir, 'venv', 'bin', 'server'), ['--x'], CONTEXT);
      expect(planned).toMatchObject({
        command: join(dir, 'venv', 'bin', 'server'),
        args: ['--x'],
        env: { PIP_CACHE_DIR: '/srv/homes/git/.cache/pip' },
      });
      expect(await commands(host({})).plan('venv/bin/server', [], { ...CONTEXT, cwd: dir })).toMatchObject({ command: 'venv/bin/server' });
    });

    it('is refused when its Python is gone, or the script is missing', async () => {
      writeFileSync(join(dir, 'venv', 'pyvenv.cfg'), 'home = /nonexistent/python/bin\n');
      await expect(commands(host({})).plan(join(dir, 'venv', 'bin', 'server'), [], CONTEXT)).rejects.toThrow(
        `the virtualenv ${join(dir, 'venv')} was made with a Python that is gone (/nonexistent/python/bin): make the virtualenv again`,
      );
      await expect(commands(host({})).plan(join(dir, 'venv', 'bin', 'other'), [], CONTEXT)).rejects.toThrow(
        `${join(dir, 'venv', 'bin', 'other')} does not exist in the virtualenv`,
      );
    });
  });

  it('runs any other command as written, with nothing added', async () => {
    expect(await commands(host({})).plan('npx', ['-y', 'pkg'], CONTEXT)).toEqual({
      command: 'npx',
      args: ['-y', 'pkg'],
      env: {},
      container: null,
      note: null,
    });
  });
});
