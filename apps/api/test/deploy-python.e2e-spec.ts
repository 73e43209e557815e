import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { DeployAcceptedView, DeploymentView, ServiceView } from '@mcp-proxy/shared/dto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PythonInterpreter } from '../src/supervisor/runtimes/host-runtimes';
import { finished } from './support/deployments';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { connectClient, textOf } from './support/mcp-clients';
import { fixturePython, PYTHON_FIXTURE, Wheelhouse } from './support/python-fixtures';
import { eventually, RunningApp, startApp } from './support/running-app';

const TOKEN = 'ghp_fixtureToken0123456789abcdef';

/**
 * A Python repository (pyproject.toml, a console script, stdlib only) deployed from the loopback git
 * server like the Node ones: built into a virtualenv of its own per build with pip, offline (the
 * service's PIP_NO_INDEX / PIP_FIND_LINKS name a local wheelhouse with setuptools and wheel for the
 * isolated build), started from it, checked over MCP and swapped in; then redeployed with a changed
 * tool while a client keeps calling, and rolled back. Every call through the proxy with the SDK client.
 */
jest.setTimeout(90_000);

describe('Python repository deploys (git, pip into a virtualenv per build, real children)', () => {
  let python: PythonInterpreter | null = null;
  let git: GitFixtures;
  let wheels: Wheelhouse;
  let running: RunningApp;
  let repo: FixtureRepo;
  const clients: Client[] = [];

  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function deploy(body: Record<string, unknown>): Promise<DeployAcceptedView> {
    const response = await running
      .api()
      .post('/api/github/deploy')
      .set(...key())
      .send(body);
    expect(response.status).toBe(202);
    return response.body as DeployAcceptedView;
  }

  async function deployment(id: string): Promise<DeploymentView> {
    return (
      await running
        .api()
        .get(`/api/deployments/${id}`)
        .set(...key())
        .expect(200)
    ).body as DeploymentView;
  }

  async function service(name: string): Promise<ServiceView> {
    return (
      await running
        .api()
        .get(`/api/services/${name}`)
        .set(...key())
        .expect(200)
    ).body as ServiceView;
  }

  async function client(): Promise<Client> {
    const connected = await connectClient(running.baseUrl, 'py-weather', running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function call(mcp: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
    return textOf(await mcp.callTool({ name, arguments: args }));
  }

  beforeAll(async () => {
    const found = await fixturePython();
    python = found.python;
    if (!python) {
      console.warn(`skipped (the Python fixtures cannot be built: ${found.missing})`);
      return;
    }
    wheels = Wheelhouse.create(python.path);
    git = await GitFixtures.start(TOKEN);
    repo = git.repo('acme/py-weather', 'python-project');
    // A pip install takes seconds: neither the client that keeps calling through it nor the deployment
    // polls (every 25 ms) may run into a rate limit meanwhile.
    running = await startApp({ ...git.appEnv, PROCESS_STOP_GRACE_SEC: '2', SERVICE_DEFAULT_RATE_LIMIT: '0', API_RATE_LIMIT: '100000' });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await running?.close();
    await git?.close();
    wheels?.close();
  });

  it('deploys a pyproject.toml repository into its own virtualenv and runs its console script', async () => {
    if (!python) return;
    const started = performance.now();
    const accepted = await deploy({ repositoryUrl: repo.url, serviceName: 'py-weather', environment: wheels.env });
    const done = await finished(deployment, accepted.deploymentId, 60_000);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'succeeded', commit: repo.head(), branch: 'main' });
    const mcp = await client();
    expect(await call(mcp, 'version')).toBe('1');
    const firstCallMs = performance.now() - started;

    expect(done.log).toContain(
      "==> manifest from pyproject.toml: unnamed, Python, installs the project (pyproject.toml), starts the project's console script",
    );
    expect(done.log).toContain(`$ ${python.path} -m venv .venv`);
    expect(done.log).toContain('$ .venv/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off .');
    expect(done.log).toMatch(/Successfully installed mcp-fixture-1\.0\.0/);
    expect(done.log).toMatch(/install and build run in the service's sandbox|NOT SANDBOXED/);
    expect(done.log).toContain('==> MCP check passed: python-fixture answered initialize and listed 3 tools');
    const build = join(running.env.vars['CLONE_DIRECTORY'], 'py-weather', repo.head());
    expect((await service('py-weather')).process).toMatchObject({
      command: join(build, '.venv', 'bin', 'mcp-fixture'),
      args: [],
      cwd: build,
    });
    // The build's virtualenv is its own, made from the host's Python.
    expect(readFileSync(join(build, '.venv', 'pyvenv.cfg'), 'utf8')).toMatch(/^home = /m);
    process.stdout.write(
      `python deploy timing: POST → first tools/call ${Math.round(firstCallMs)} ms; clone ${done.timings.cloneMs} ms, ` +
        `install (venv + pip) ${done.timings.installMs} ms, start+check+swap ${done.timings.startMs} ms\n`,
    );
  });

  it('redeploys a changed tool with no gap for a client that keeps calling, then rolls back', async () => {
    if (!python) return;
    const mcp = await client();
    const server = readFileSync(join(PYTHON_FIXTURE, 'src', 'mcp_fixture', 'server.py'), 'utf8');
    const init = readFileSync(join(PYTHON_FIXTURE, 'src', 'mcp_fixture', '__init__.py'), 'utf8');
    const commit = repo.commit(
      {
        'src/mcp_fixture/__init__.py': init.replace('VERSION = "1"', 'VERSION = "2"'),
        // The echo tool shouts in version 2.
        'src/mcp_fixture/server.py': server.replace(
          'return text(str(arguments.get("text", "")))',
          'return text(str(arguments.get("text", "")).upper())',
        ),
      },
      { message: 'version 2: echo shouts' },
    );
    const seen: string[] = [];
    const failures: unknown[] = [];
    let calling = true;
    const loop = (async () => {
      while (calling) {
        try {
          seen.push(await call(mcp, 'version'));
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      const done = await finished(deployment, (await deploy({ repositoryUrl: repo.url, serviceName: 'py-weather' })).deploymentId, 60_000);
      expect(done).toMatchObject({ status: 'succeeded', commit, error: null });
      await eventually(async () => expect(seen[seen.length - 1]).toBe('2'), 5000);
    } finally {
      calling = false;
      await loop;
    }
    expect(failures).toEqual([]);
    expect(seen.slice(seen.indexOf('2'))).not.toContain('1');
    expect(await call(mcp, 'echo', { text: 'quiet' })).toBe('QUIET');

    const rollback = await running
      .api()
      .post('/api/services/py-weather/rollback')
      .set(...key())
      .expect(202);
    const back = await finished(deployment, rollback.body.deploymentId, 60_000);
    expect(back).toMatchObject({ status: 'succeeded', trigger: 'rollback', error: null });
    expect(back.timings.installMs).toBeNull();
    await eventually(async () => expect(await call(mcp, 'version')).toBe('1'), 5000);
    expect(await call(mcp, 'echo', { text: 'quiet' })).toBe('quiet');
    expect((await service('py-weather')).process.command).toBe(
      join(running.env.vars['CLONE_DIRECTORY'], 'py-weather', back.commit ?? '', '.venv', 'bin', 'mcp-fixture'),
    );
  });
});
