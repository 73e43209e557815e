import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServiceLogsView, ServiceView } from '@mcp-proxy/shared/dto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PythonInterpreter } from '../src/supervisor/runtimes/host-runtimes';
import { connectClient, textOf } from './support/mcp-clients';
import { hasCommand } from './support/prerequisites';
import { fixturePython, Wheelhouse } from './support/python-fixtures';
import { adminGet, eventually, registerService, RunningApp, serviceAction, startApp, waitForStatus } from './support/running-app';

/**
 * Python MCP servers as service commands, offline: a stdlib-only server (fixtures/python) built into a
 * wheel by the test, installed from a local wheelhouse (PIP_NO_INDEX + PIP_FIND_LINKS in the service's
 * environment), run as `python -m`, from a virtualenv's bin/, with uvx on a host without uv (the proxy's
 * managed virtualenv stands in) and with pipx; then the same commands on a host with none of the tools.
 * Every call goes through the proxy with the official SDK client.
 */
jest.setTimeout(120_000);

const API_KEY_NAME = 'API_KEY';
let python: PythonInterpreter | null = null;
let missing: string | null = null;

beforeAll(async () => {
  ({ python, missing } = await fixturePython());
  if (missing) console.warn(`skipped (the Python fixtures cannot be built: ${missing})`);
});

describe('Python servers on a host with Python (uv absent, PyPI out of reach)', () => {
  let running: RunningApp;
  let wheels: Wheelhouse;
  const clients: Client[] = [];

  async function client(service: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, service, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  /**
   * The first start of a uvx or pipx service installs the package before the server answers, which may
   * outlast the proxy's 15 s wait for a starting server on a busy host: connect again until it answers.
   */
  async function clientOnceInstalled(service: string): Promise<Client> {
    return eventually(() => client(service), 90_000, 500);
  }

  async function call(mcp: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
    return textOf(await mcp.callTool({ name, arguments: args }));
  }

  async function logText(service: string): Promise<string> {
    const logs = await adminGet<ServiceLogsView>(running, `/api/services/${service}/logs?tail=500`);
    return logs.lines.map((line) => line.text).join('\n');
  }

  beforeAll(async () => {
    if (!python) return;
    wheels = Wheelhouse.create(python.path);
    running = await startApp({ PROCESS_STOP_GRACE_SEC: '2' });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await running?.close();
    wheels?.close();
  });

  it('runs `python3 -m <module>` from its working directory', async () => {
    if (!python) return;
    const source = wheels.source('module-source');
    await registerService(running, {
      name: 'py-module',
      process: { command: 'python3', args: ['-m', 'mcp_fixture'], cwd: join(source, 'src') },
      environment: { SERVER_NAME: 'py-module' },
    });
    const mcp = await client('py-module');
    expect((await mcp.listTools()).tools.map((tool) => tool.name)).toEqual(['version', 'echo', 'env']);
    expect(await call(mcp, 'echo', { text: 'hello from python' })).toBe('hello from python');
    expect(mcp.getServerVersion()).toMatchObject({ name: 'py-module', version: '1' });
  });

  it("runs a virtualenv's bin/<script>, with the Python tools' environment and nothing of the proxy's", async () => {
    if (!python) return;
    const venv = wheels.virtualenv('user-venv');
    await registerService(running, { name: 'py-venv', process: { command: join(venv, 'bin', 'mcp-fixture'), args: [] } });
    const mcp = await client('py-venv');
    expect(await call(mcp, 'version')).toBe('1');
    expect(await call(mcp, 'env', { name: 'PIP_CACHE_DIR' })).toBe('set');
    expect(await call(mcp, 'env', { name: 'PYTHONUNBUFFERED' })).toBe('set');
    expect(await call(mcp, 'env', { name: API_KEY_NAME })).toBe('unset');
    expect(await call(mcp, 'env', { name: 'VIRTUAL_ENV' })).toBe('unset');
  });

  it('runs `uvx <package>==<version>` from a virtualenv of its own, installed once and reused at the next start', async () => {
    // With uv installed, uvx itself would run (and need PyPI): the stand-in is what is tested here.
    if (!python || hasCommand('uvx')) return;
    const firstStart = performance.now();
    await registerService(running, { name: 'py-uvx', process: { command: 'uvx', args: ['mcp-fixture==1.0.0'] }, environment: wheels.env });
    const mcp = await clientOnceInstalled('py-uvx');
    expect(await call(mcp, 'echo', { text: 'via uvx' })).toBe('via uvx');
    const firstMs = performance.now() - firstStart;

    const log = await logText('py-uvx');
    expect(log).toMatch(
      /uvx not found on this host: running mcp-fixture from a virtualenv of its own \(.*\/\.homes\/py-uvx\/\.cache\/mcp-proxy\/venvs\/mcp-fixture-1\.0\.0-[0-9a-f]{10}, Python 3\.\d+, pip\)/,
    );
    expect(log).toContain('mcp-proxy: installing mcp-fixture==1.0.0 into');
    expect(log).toMatch(/Successfully installed mcp-fixture-1\.0\.0/);

    const again = performance.now();
    await serviceAction(running, 'py-uvx', 'restart');
    await waitForStatus(running, 'py-uvx', 'running');
    const second = await client('py-uvx');
    expect(await call(second, 'version')).toBe('1');
    const secondMs = performance.now() - again;
    // Installed once: the second start found the virtualenv ready.
    expect((await logText('py-uvx')).match(/mcp-proxy: installing/g)).toHaveLength(1);
    process.stdout.write(
      `uvx without uv: first start to first answer ${Math.round(firstMs)} ms (venv + pip), next start ${Math.round(secondMs)} ms\n`,
    );
  });

  it('runs `pipx run --spec <package>==<version> <app>` with the host pipx, its home under the service home', async () => {
    if (!python || !hasCommand('pipx')) return;
    await registerService(running, {
      name: 'py-pipx',
      process: { command: 'pipx', args: ['run', '--spec', 'mcp-fixture==1.0.0', 'mcp-fixture'] },
      environment: wheels.env,
    });
    const mcp = await clientOnceInstalled('py-pipx');
    expect(await call(mcp, 'echo', { text: 'via pipx' })).toBe('via pipx');
    expect(await call(mcp, 'env', { name: 'PIPX_HOME' })).toBe('set');
  });

  it('refuses a container service when no engine answers, quoting why', async () => {
    if (!hasCommand('docker') && !hasCommand('podman')) return;
    const response = await running
      .api()
      .post('/api/services')
      .set('X-API-Key', running.env.apiKey)
      .send({ name: 'in-docker', process: { command: 'docker', args: ['run', '-i', '--rm', 'mcp/fetch'] } });
    // A host whose engine runs would accept it; this one's CLI has no daemon to talk to.
    if (response.status === 201) return;
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([
      expect.stringMatching(/^process\.command: (docker|podman) .*: install and start Docker or Podman to run "docker run" services$/),
    ]);
    await running.api().get('/api/services/in-docker').set('X-API-Key', running.env.apiKey).expect(404);
  });
});

describe('pipx run on a host with Python but neither pipx nor uv', () => {
  let running: RunningApp;
  let wheels: Wheelhouse;
  let toolsDir: string;

  beforeAll(async () => {
    if (!python) return;
    wheels = Wheelhouse.create(python.path);
    // Only Python, and the sandbox's own tools, on the PATH the proxy and its children get.
    toolsDir = mkdtempSync(join(tmpdir(), 'mcp-proxy-python-only-'));
    chmodSync(toolsDir, 0o755);
    symlinkSync(python.path, join(toolsDir, 'python3'));
    for (const tool of ['sh', 'setpriv', 'prlimit', 'bwrap']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(toolsDir, tool));
    }
    running = await startApp({ PATH: toolsDir, PROCESS_STOP_GRACE_SEC: '2' });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    wheels?.close();
    if (toolsDir) rmSync(toolsDir, { recursive: true, force: true });
  });

  it('runs it from a virtualenv of its own, through the SDK client', async () => {
    if (!python) return;
    await registerService(running, {
      name: 'py-pipx-fallback',
      process: { command: 'pipx', args: ['run', '--spec', 'mcp-fixture==1.0.0', 'mcp-fixture'] },
      environment: wheels.env,
    });
    // Installs on its first start: see clientOnceInstalled.
    const mcp = await eventually(() => connectClient(running.baseUrl, 'py-pipx-fallback', running.env.apiKey, 'streamable'), 90_000, 500);
    try {
      expect(await textOf(await mcp.callTool({ name: 'echo', arguments: { text: 'no pipx here' } }))).toBe('no pipx here');
    } finally {
      await mcp.close();
    }
    const logs = await adminGet<ServiceLogsView>(running, '/api/services/py-pipx-fallback/logs?tail=500');
    expect(logs.lines.map((line) => line.text)).toContainEqual(
      expect.stringMatching(/^pipx not found on this host: running mcp-fixture from a virtualenv of its own/),
    );
  });
});

describe('Python and container commands on a host with none of the tools', () => {
  let running: RunningApp;
  let emptyPath: string;

  async function create(name: string, command: string, args: string[]): Promise<{ status: number; message: unknown }> {
    const response = await running
      .api()
      .post('/api/services')
      .set('X-API-Key', running.env.apiKey)
      .send({ name, process: { command, args } });
    return { status: response.status, message: response.body.message };
  }

  beforeAll(async () => {
    // A PATH with nothing on it: no uv, pipx, Python, Docker or Podman for the proxy to find.
    emptyPath = mkdtempSync(join(tmpdir(), 'mcp-proxy-no-tools-'));
    running = await startApp({ PATH: emptyPath });
  }, 30_000);

  afterAll(async () => {
    await running?.close();
    rmSync(emptyPath, { recursive: true, force: true });
  });

  it.each([
    [
      'no-uvx',
      'uvx',
      ['mcp-server-git'],
      'process.command: uvx not found on this host: install uv, or pipx, or a Python 3 with venv (python3 not found on this host)',
    ],
    [
      'no-pipx',
      'pipx',
      ['run', 'mcp-server-fetch'],
      'process.command: pipx not found on this host: install pipx, or uv, or a Python 3 with venv (python3 not found on this host)',
    ],
    ['no-uv', 'uv', ['run', 'server.py'], expect.stringMatching(/^process\.command: uv not found on this host: install uv/)],
    ['no-python', 'python3', ['-m', 'mcp_server_time'], 'process.command: python3 not found on this host: install Python 3 (python3)'],
    [
      'no-docker',
      'docker',
      ['run', '-i', '--rm', 'mcp/fetch'],
      'process.command: docker not found on this host; podman not found on this host: install and start Docker or Podman to run "docker run" services',
    ],
  ])('refuses %s at create time with what to install', async (name, command, args, message) => {
    expect(await create(name, command, args)).toEqual({ status: 400, message: [message] });
  });

  it('refuses a changed command the same way, and keeps the service as it was', async () => {
    expect((await create('plain', '/bin/true', [])).status).toBe(201);
    const response = await running
      .api()
      .patch('/api/services/plain')
      .set('X-API-Key', running.env.apiKey)
      .send({ process: { command: 'uvx', args: ['mcp-server-git'] } });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([expect.stringMatching(/^process\.command: uvx not found on this host/)]);
    expect((await adminGet<ServiceView>(running, '/api/services/plain')).process.command).toBe('/bin/true');
  });

  it('refuses a TTY or a detached container before looking for an engine', async () => {
    expect(await create('tty', 'docker', ['run', '-it', 'mcp/fetch'])).toEqual({
      status: 400,
      message: ['process.command: docker run -t: a TTY mangles the JSON-RPC stream; use -i alone'],
    });
  });
});
