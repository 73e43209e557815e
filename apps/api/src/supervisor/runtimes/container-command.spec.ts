import { containerCommand, containerKillArgs, containerName, containerStopArgs, parseContainerRun } from './container-command';
import { RuntimeUnavailableError } from './runtime-errors';

const NAME = 'mcp-proxy-fetch-0a1b2c3d';

describe('container commands', () => {
  it('builds a run of an OCI image: stdin open, removed when done, named, limited, variables by name only', () => {
    expect(
      containerCommand({
        engine: 'docker',
        image: 'ghcr.io/acme/mcp-fetch:1.2',
        args: ['--verbose'],
        env: ['API_TOKEN'],
        name: NAME,
        limits: { memoryMb: 256, cpuPercent: 50, maxProcesses: 64, maxOpenFiles: 1024 },
      }),
    ).toEqual({
      command: 'docker',
      args: [
        'run',
        '-i',
        '--rm',
        '--name',
        NAME,
        '--memory',
        '256m',
        '--cpus',
        '0.5',
        '--pids-limit',
        '64',
        '--ulimit',
        'nofile=1024:1024',
        '-e',
        'API_TOKEN',
        'ghcr.io/acme/mcp-fetch:1.2',
        '--verbose',
      ],
    });
  });

  it('leaves out limits that are off, and those the user set already', () => {
    const run = containerCommand({
      engine: 'podman',
      image: 'mcp/fetch',
      name: NAME,
      limits: { memoryMb: 2048, cpuPercent: 0, maxProcesses: 512, maxOpenFiles: 4096 },
      options: ['-m', '1g', '--pids-limit=10', '--ulimit', 'nofile=10:10'],
    });
    expect(run).toEqual({
      command: 'podman',
      args: ['run', '-i', '--rm', '--name', NAME, '-m', '1g', '--pids-limit=10', '--ulimit', 'nofile=10:10', 'mcp/fetch'],
    });
  });

  it('refuses what is not an image reference', () => {
    expect(() => containerCommand({ engine: 'docker', image: '--privileged', name: NAME })).toThrow(
      '"--privileged" is not an image reference',
    );
  });

  it.each([
    [['run', '-i', '--rm', 'mcp/fetch'], { options: [], image: 'mcp/fetch', args: [] }],
    [['run', '--interactive', 'mcp/fetch', '--rm', '-i'], { options: [], image: 'mcp/fetch', args: ['--rm', '-i'] }],
    [
      ['run', '-i', '--rm', '-e', 'GITHUB_TOKEN', '-v', '/srv:/data:ro', '--network=none', 'ghcr.io/github/github-mcp-server', 'stdio'],
      {
        options: ['-e', 'GITHUB_TOKEN', '-v', '/srv:/data:ro', '--network=none'],
        image: 'ghcr.io/github/github-mcp-server',
        args: ['stdio'],
      },
    ],
    [['run', '-ie', 'A=1', '--memory', '512m', 'img'], { options: ['-e', 'A=1', '--memory', '512m'], image: 'img', args: [] }],
    [['run', '-eA=1', '--init', 'img', 'x'], { options: ['-e', 'A=1', '--init'], image: 'img', args: ['x'] }],
  ])('reads %j', (args, expected) => {
    expect(parseContainerRun('docker', args)).toEqual(expected);
  });

  it.each([
    [['run', '-it', 'img'], 'docker run -t: a TTY mangles the JSON-RPC stream; use -i alone'],
    [['run', '--tty', 'img'], 'docker run -t'],
    [['run', '-d', 'img'], 'docker run -d: the proxy talks to the server over its stdin and stdout'],
    [['run', '--name', 'mine', 'img'], 'docker run --name: the proxy names each container itself'],
    [['run', '-i', '--rm'], 'docker run needs an image'],
    [['pull', 'img'], 'only "docker run …" commands can be services'],
    [['run', '-e'], 'docker run -e needs a value'],
  ])('refuses %j, saying why', (args, message) => {
    expect(() => parseContainerRun('docker', args)).toThrow(RuntimeUnavailableError);
    expect(() => parseContainerRun('docker', args)).toThrow(message);
  });

  it('names containers after their service, and stops or kills them by that name', () => {
    expect(containerName('fetch', '0a1b2c3d')).toBe(NAME);
    expect(containerStopArgs(NAME, 5)).toEqual(['stop', '--time', '5', NAME]);
    expect(containerKillArgs(NAME)).toEqual(['rm', '--force', NAME]);
  });
});
