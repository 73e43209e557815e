import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, textOf } from './support/mcp-clients';
import { fixturePython, PYTHON_FIXTURE } from './support/python-fixtures';
import { adminGet, eventually, registerService, RunningApp, serviceAction, startApp } from './support/running-app';

/**
 * A `docker run -i …` service from start to stop, on a host where no image can be pulled: a stand-in
 * engine CLI named `docker`, first on the PATH, answers the proxy's engine check, records every command
 * line it is given and, for `run`, runs the Python fixture server in the container's place. What is under
 * test is the proxy's side: the engine check, the command line (name, limits, variables by name only), the
 * sandbox status, and the `docker stop` of that very container when the service stops.
 */

describe('container services (a stand-in engine CLI)', () => {
  let running: RunningApp | null = null;
  let engineDir: string;
  let calls: string;
  let mcp: Client | null = null;

  const lines = (): string[] => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);

  beforeAll(async () => {
    const { python, missing } = await fixturePython();
    if (!python) {
      console.warn(`skipped (no Python for the stand-in container's server: ${missing})`);
      return;
    }
    engineDir = mkdtempSync(join(tmpdir(), 'mcp-proxy-engine-'));
    calls = join(engineDir, 'calls.log');
    writeFileSync(
      join(engineDir, 'docker'),
      [
        '#!/bin/sh',
        `echo "$*" >> '${calls}'`,
        'case "$1" in',
        '  version) echo 28.2.2-stand-in ;;',
        `  run) cd '${join(PYTHON_FIXTURE, 'src')}' && exec '${python.path}' -B -m mcp_fixture ;;`,
        'esac',
      ].join('\n'),
    );
    chmodSync(join(engineDir, 'docker'), 0o755);
    running = await startApp({ PATH: `${engineDir}:${process.env['PATH'] ?? ''}`, PROCESS_STOP_GRACE_SEC: '2' });
  }, 30_000);

  afterAll(async () => {
    await mcp?.close();
    await running?.close();
    if (engineDir) rmSync(engineDir, { recursive: true, force: true });
  });

  it('runs the image named and limited, and has the engine stop that container with the service', async () => {
    if (!running) return;
    await registerService(running, {
      name: 'boxed',
      process: {
        command: 'docker',
        args: ['run', '-i', '--rm', '-e', 'FETCH_TOKEN', 'ghcr.io/acme/fetch-mcp:1.2', '--verbose'],
        limits: { memoryMb: 256, cpuPercent: 50 },
      },
      environment: { FETCH_TOKEN: 'token-value-never-on-a-command-line' },
    });
    mcp = await connectClient(running.baseUrl, 'boxed', running.env.apiKey, 'streamable');
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { text: 'from the container' } }))).toBe('from the container');
    // The variable reaches the engine's CLI, which `-e FETCH_TOKEN` hands to the container by name.
    expect(textOf(await mcp.callTool({ name: 'env', arguments: { name: 'FETCH_TOKEN' } }))).toBe('set');

    const run = lines().find((line) => line.startsWith('run '));
    expect(run).toMatch(
      /^run -i --rm --name mcp-proxy-boxed-[0-9a-f]{8} --memory 256m --cpus 0\.5 --pids-limit 512 --ulimit nofile=4096:4096 -e FETCH_TOKEN ghcr\.io\/acme\/fetch-mcp:1\.2 --verbose$/,
    );
    expect(lines().join('\n')).not.toContain('token-value-never-on-a-command-line');
    const name = /--name (\S+)/.exec(run ?? '')?.[1];

    const view = await adminGet<ServiceView>(running, '/api/services/boxed');
    expect(view.sandbox).toMatchObject({
      user: null,
      filesystem: 'none',
      applied: [
        'container: the server runs in a docker container (memory 256 MB, CPU 50%, processes 512, open files 4096, enforced by the engine)',
      ],
    });

    await serviceAction(running, 'boxed', 'stop');
    await eventually(async () => expect(lines()).toContain(`stop --time 2 ${name}`), 5000);
  });
});
