import type { DeployAcceptedView, DeploymentView, ServiceView } from '@mcp-proxy/shared/dto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, RunningApp as BuiltApp, startBuiltApi, waitForOk } from './support/built-app';
import { finished, reached } from './support/deployments';
import { processesOfDeployment } from './support/cluster-instances';
import { GitFixtures } from './support/git-fixtures';
import { connectClient, textOf } from './support/mcp-clients';
import { eventually } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(60_000);

/** A build script that never finishes by itself: the API is killed while it runs. */
const SLEEPING_BUILD = { build: 'node -e "setTimeout(() => {}, 120000)"' };

/**
 * The built API is killed (SIGKILL, no shutdown of any kind) while two deploys are building, and
 * started again on the same data: no deployment stays in progress, the redeployed service serves
 * its previous version, the new one is not half there, and nothing of the builds keeps running.
 */
describe('GitHub deploys across a crash of the API (built bundle, SIGKILL)', () => {
  let git: GitFixtures;
  let env: TestEnv;
  let api: BuiltApp | null = null;
  let baseUrl = '';
  const deploymentIds: string[] = [];

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': env.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  const deployment = (id: string): Promise<DeploymentView> => call<DeploymentView>('GET', `/api/deployments/${id}`);
  const service = (name: string): Promise<ServiceView> => call<ServiceView>('GET', `/api/services/${name}`);

  async function start(): Promise<void> {
    api = startBuiltApi(env.vars);
    await waitForOk(`${baseUrl}/health`, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${api?.output()}`);
    });
  }

  beforeAll(async () => {
    git = await GitFixtures.start('unused-token');
    const port = await freePort();
    env = makeTestEnv({
      HOST: '127.0.0.1',
      BACKEND_PORT: String(port),
      FRONTEND_PORT: String(await freePort()),
      PROCESS_STOP_GRACE_SEC: '2',
    });
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await api?.stop();
    for (const id of deploymentIds) for (const pid of processesOfDeployment(id)) process.kill(pid, 'SIGKILL');
    await git?.close();
    env?.cleanup();
  });

  it('leaves no deployment in progress, no half-written service and no build running', async () => {
    await start();
    const weather = git.repo('acme/weather', 'mcp-json');
    const first = await call<DeployAcceptedView>('POST', '/api/github/deploy', { repositoryUrl: weather.url });
    const v1 = await finished(deployment, first.deploymentId);
    expect(v1.status).toBe('succeeded');
    const v1Dir = join(env.vars['CLONE_DIRECTORY'], 'weather', weather.head());

    // A redeploy of the running service and the first deploy of a new one, both stuck in their build.
    const slowCommit = weather.commit(
      { VERSION: '2\n', 'package.json': JSON.stringify({ name: 'weather-mcp', version: '2.0.0', scripts: SLEEPING_BUILD }) },
      { branch: 'slow' },
    );
    const redeploy = await call<DeployAcceptedView>('POST', '/api/github/deploy', {
      repositoryUrl: weather.url,
      serviceName: 'weather',
      branch: 'slow',
    });
    const fresh = git.repo('acme/fresh', 'mcp-json');
    fresh.commit({ 'package.json': JSON.stringify({ name: 'fresh', version: '1.0.0', scripts: SLEEPING_BUILD }) });
    const firstDeploy = await call<DeployAcceptedView>('POST', '/api/github/deploy', { repositoryUrl: fresh.url });
    deploymentIds.push(redeploy.deploymentId, firstDeploy.deploymentId);
    await reached(deployment, redeploy.deploymentId, ['building']);
    await reached(deployment, firstDeploy.deploymentId, ['building']);
    await eventually(async () => expect(processesOfDeployment(redeploy.deploymentId).length).toBeGreaterThan(0), 5000);

    // No shutdown hook, no exit handler: the whole process group of the API dies at once.
    process.kill(-(api?.child.pid as number), 'SIGKILL');
    await api?.exited;
    await start();

    const [interrupted, interruptedFirst] = [await deployment(redeploy.deploymentId), await deployment(firstDeploy.deploymentId)];
    for (const done of [interrupted, interruptedFirst]) {
      expect(done).toMatchObject({
        status: 'failed',
        error: 'interrupted by a restart of the API',
        timings: { finishedAt: expect.any(String) },
      });
      expect(done.log).toContain('==> failed: interrupted by a restart of the API');
    }
    // The redeployed service came back on the version it ran, from the same build.
    const weatherView = await eventually(async () => {
      const view = await service('weather');
      if (view.status !== 'running') throw new Error(view.status);
      return view;
    });
    expect(weatherView).toMatchObject({
      repository: { branch: 'main' },
      process: { command: 'node', args: ['src/server.mjs'], cwd: v1Dir },
    });
    const mcp = await connectClient(baseUrl, 'weather', env.apiKey, 'streamable');
    expect(textOf(await mcp.callTool({ name: 'version', arguments: {} }))).toBe('1');
    await mcp.close();
    // The new service exists as registered, with nothing to run, and says why (the status survives the restart).
    expect(await service('fresh')).toMatchObject({ status: 'failed', process: { command: null, cwd: null } });
    expect((await service('fresh')).statusReason).toMatch(
      /^deploy failed: interrupted by a restart of the API — nothing runs until a deploy succeeds/,
    );
    // Nothing of the interrupted builds is left: no directory, no process.
    expect(existsSync(join(env.vars['CLONE_DIRECTORY'], 'weather', slowCommit))).toBe(false);
    expect(readdirSync(join(env.vars['CLONE_DIRECTORY'], 'weather'))).toEqual([weather.head()]);
    expect(readdirSync(join(env.vars['CLONE_DIRECTORY'], 'fresh'))).toEqual([]);
    await eventually(
      async () => expect([...processesOfDeployment(redeploy.deploymentId), ...processesOfDeployment(firstDeploy.deploymentId)]).toEqual([]),
      5000,
    );

    // And the service deploys normally afterwards.
    const again = await call<DeployAcceptedView>('POST', '/api/github/deploy', {
      repositoryUrl: weather.url,
      serviceName: 'weather',
      branch: 'main',
    });
    expect((await finished(deployment, again.deploymentId)).status).toBe('succeeded');
  });
});
