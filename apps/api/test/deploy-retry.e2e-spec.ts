import type { DeployAcceptedView, DeploymentView, ServiceView } from '@mcp-proxy/shared/dto';
import { finished } from './support/deployments';
import { GitFixtures } from './support/git-fixtures';
import { connectClient } from './support/mcp-clients';
import { adminGet, RunningApp, startApp } from './support/running-app';

const TOKEN = 'ghp_fixtureToken0123456789abcdef';
const PASSWORD = 'a-long-password-1';

/**
 * A first deploy that fails leaves a service that says so: `failed`, with the deploy's reason, never
 * a healthy-looking stopped service with nothing to run. Fixing the repository and retrying the
 * deploy (operators within their limits only) brings it up. Real git, real npm, real children.
 */
describe('a failed first deploy, then a retry', () => {
  let git: GitFixtures;
  let running: RunningApp;
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  const deployment = (id: string) => adminGet<DeploymentView>(running, `/api/deployments/${id}`);
  const service = async (name: string): Promise<ServiceView> =>
    (
      await running
        .api()
        .get(`/api/services/${name}`)
        .set(...key())
        .expect(200)
    ).body;

  async function login(username: string, role: 'viewer' | 'operator', services: string[]): Promise<[string, string]> {
    await running
      .api()
      .post('/api/users')
      .set(...key())
      .send({ username, password: PASSWORD, role, services })
      .expect(201);
    const response = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    return ['Authorization', `Bearer ${response.body.token}`];
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    running = await startApp({
      ...git.appEnv,
      PROCESS_STOP_GRACE_SEC: '2',
      AUTH_FAILURE_LIMIT: '100000',
    });
  }, 30_000);

  afterAll(async () => {
    await running?.close();
    await git?.close();
  });

  it('the service says failed with the reason; after a fix, "retry deploy" runs it', async () => {
    const broken = git.repo('acme/broken-build', 'build-fails');
    const accepted = (
      await running
        .api()
        .post('/api/github/deploy')
        .set(...key())
        .send({ repositoryUrl: broken.url })
        .expect(202)
    ).body as DeployAcceptedView;
    const failed = await finished(deployment, accepted.deploymentId);
    expect(failed.status).toBe('failed');

    const view = await service('broken-build');
    expect(view).toMatchObject({
      status: 'failed',
      pid: null,
      process: { command: null },
    });
    expect(view.statusReason).toMatch(/^deploy failed: build failed: npm run build exited with code 2/);
    expect(view.statusReason).toContain('retry the deploy');
    const listed = (
      await running
        .api()
        .get('/api/services')
        .set(...key())
        .expect(200)
    ).body as ServiceView[];
    expect(listed.find((item) => item.name === 'broken-build')).toMatchObject({
      status: 'failed',
      statusReason: view.statusReason,
    });

    // Nobody outside the operator role or the service's limits may retry it.
    await running.api().post('/api/services/broken-build/redeploy').expect(401);
    const viewer = await login('viewer-one', 'viewer', ['broken-build']);
    await running
      .api()
      .post('/api/services/broken-build/redeploy')
      .set(...viewer)
      .expect(403);
    await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({
        name: 'other',
        process: { command: process.execPath, args: ['-e', '0'] },
      })
      .expect(201);
    const elsewhere = await login('op-elsewhere', 'operator', ['other']);
    await running
      .api()
      .post('/api/services/broken-build/redeploy')
      .set(...elsewhere)
      .expect(404);
    expect(
      (
        await running
          .api()
          .get('/api/services/broken-build/deployments')
          .set(...key())
          .expect(200)
      ).body,
    ).toHaveLength(1);

    // The author fixes the build and pushes; the operator of this service retries.
    const fixed = broken.commit({
      'mcp.json': JSON.stringify({
        name: 'broken-build',
        entryPoint: 'src/server.mjs',
      }),
      'package.json': JSON.stringify({
        name: 'fixed',
        version: '1.0.1',
        private: true,
        type: 'module',
        scripts: { build: 'node -e 0' },
      }),
    });
    const operator = await login('op-one', 'operator', ['broken-build']);
    const retried = (
      await running
        .api()
        .post('/api/services/broken-build/redeploy')
        .set(...operator)
        .expect(202)
    ).body as DeployAcceptedView;
    expect(retried.serviceId).toBe(accepted.serviceId);
    const done = await finished(deployment, retried.deploymentId, 60_000);
    expect(done).toMatchObject({
      status: 'succeeded',
      commit: fixed,
      trigger: 'api',
      error: null,
    });
    expect(await service('broken-build')).toMatchObject({
      status: 'running',
      statusReason: null,
      process: { command: 'node', args: ['src/server.mjs'] },
    });
    const mcp = await connectClient(running.baseUrl, 'broken-build', running.env.apiKey, 'streamable');
    try {
      expect((await mcp.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await mcp.close();
    }
  }, 120_000);

  it('a retry of a service that is not deployed from a repository is refused, saying why', async () => {
    await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({
        name: 'plain',
        process: { command: process.execPath, args: ['-e', '0'] },
      })
      .expect(201);
    const response = await running
      .api()
      .post('/api/services/plain/redeploy')
      .set(...key())
      .expect(409);
    expect(response.body.message).toBe('"plain" is not deployed from a repository');
  });
});
