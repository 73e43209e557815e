import type { AuditPageView, DeployAcceptedView, DeploymentView, ServiceView } from '@mcp-proxy/shared/dto';
import { finished } from './support/deployments';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { adminGet, registerService, RunningApp, startApp } from './support/running-app';

const TOKEN = 'ghp_scopeFixtureToken0123456789ab';
const PASSWORD = 'correct horse battery staple';

/**
 * Who may deploy what: a deploy obeys the caller's role and service limits like every other write,
 * and pointing an existing service at another repository (its secrets would start the new code) is
 * an admin's explicit, audited act. A plain redeploy of the same repository stays an operator's.
 */
jest.setTimeout(180_000);

describe('deploys obey role and service limits', () => {
  let git: GitFixtures;
  let running: RunningApp;
  let weather: FixtureRepo;
  let intruder: FixtureRepo;
  let limited: string;
  let operator: string;
  let viewer: string;

  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
  const deploy = (auth: [string, string], body: Record<string, unknown>) =>
    running
      .api()
      .post('/api/github/deploy')
      .set(...auth)
      .send(body);

  const deployment = (id: string) => adminGet<DeploymentView>(running, `/api/deployments/${id}`);

  async function service(name: string): Promise<ServiceView> {
    return (
      await running
        .api()
        .get(`/api/services/${name}`)
        .set(...asAdmin())
        .expect(200)
    ).body as ServiceView;
  }

  async function user(username: string, role: string, services?: string[]): Promise<string> {
    await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({
        username,
        password: PASSWORD,
        role,
        ...(services ? { services } : {}),
      })
      .expect(201);
    const login = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    return (login.body as { token: string }).token;
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    weather = git.repo('acme/weather', 'mcp-json');
    intruder = git.repo('mallory/intruder', 'mcp-json');
    running = await startApp({
      ...git.appEnv,
      PROCESS_STOP_GRACE_SEC: '2',
    });
    const first = (
      await deploy(asAdmin(), {
        repositoryUrl: weather.url,
        environment: { WEATHER_API_KEY: 'weather-secret-value' },
      }).expect(202)
    ).body as DeployAcceptedView;
    expect((await finished(deployment, first.deploymentId)).status).toBe('succeeded');
    await registerService(running, {
      name: 'plain',
      process: {
        command: process.execPath,
        args: ['-e', 'setInterval(() => {}, 1000)'],
      },
      start: false,
    });
    limited = await user('opal', 'operator', ['weather']);
    operator = await user('otis', 'operator');
    viewer = await user('vera', 'viewer');
  }, 90_000);

  afterAll(async () => {
    await running?.close();
    await git?.close();
  });

  it('a limited operator redeploys a service in their limits, and nothing else: others are 404, new names 403', async () => {
    const redeploy = await deploy(bearer(limited), {
      repositoryUrl: weather.url,
      serviceName: 'weather',
    });
    expect(redeploy.status).toBe(202);
    expect((await finished(deployment, (redeploy.body as DeployAcceptedView).deploymentId)).status).toBe('succeeded');

    const outside = await deploy(bearer(limited), {
      repositoryUrl: intruder.url,
      serviceName: 'plain',
    });
    expect(outside.status).toBe(404);
    // The name made from the repository (intruder) is a new service: outside any limit.
    const created = await deploy(bearer(limited), {
      repositoryUrl: intruder.url,
    });
    expect(created.status).toBe(403);
    expect(
      (
        await running
          .api()
          .get('/api/services/intruder')
          .set(...asAdmin())
      ).status,
    ).toBe(404);
    expect((await service('plain')).repository).toBeNull();
  });

  it("an operator cannot point an existing service at another repository, nor turn a service into a deploy: the admin's act", async () => {
    for (const body of [
      { repositoryUrl: intruder.url, serviceName: 'weather' },
      { repositoryUrl: intruder.url, serviceName: 'weather', replace: true },
      { repositoryUrl: intruder.url, serviceName: 'plain', replace: true },
    ]) {
      const response = await deploy(bearer(operator), body);
      expect(response.status).toBe(403);
      expect((response.body as { message: string }).message).toMatch(/admin/);
    }
    expect((await service('weather')).repository?.url).toBe(weather.url);
    expect((await service('plain')).repository).toBeNull();
    // A viewer deploys nothing at all; nobody anonymous either.
    expect(
      (
        await deploy(bearer(viewer), {
          repositoryUrl: weather.url,
          serviceName: 'weather',
        })
      ).status,
    ).toBe(403);
    expect((await running.api().post('/api/github/deploy').send({ repositoryUrl: weather.url })).status).toBe(401);
  });

  it('an admin replaces a repository only with "replace": true, and the replacement is audited as its own action', async () => {
    const unasked = await deploy(asAdmin(), {
      repositoryUrl: intruder.url,
      serviceName: 'weather',
    });
    expect(unasked.status).toBe(409);
    expect((unasked.body as { message: string }).message).toContain('"replace": true');
    expect((await service('weather')).repository?.url).toBe(weather.url);

    const replaced = await deploy(asAdmin(), {
      repositoryUrl: intruder.url,
      serviceName: 'weather',
      replace: true,
    });
    expect(replaced.status).toBe(202);
    const done = await finished(deployment, (replaced.body as DeployAcceptedView).deploymentId);
    expect(done.status).toBe('succeeded');
    expect((await service('weather')).repository?.url).toBe(intruder.url);

    const audit = (
      await running
        .api()
        .get('/api/audit')
        .query({ action: 'deploy.replace' })
        .set(...asAdmin())
        .expect(200)
    ).body as AuditPageView;
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'deploy.replace',
        outcome: 'ok',
        actor: 'admin',
        target: 'weather',
        detail: expect.objectContaining({
          from: weather.url,
          to: intruder.url,
        }),
      }),
    ]);
  });

  it('refuses a non-boolean "replace" with 400 naming the field', async () => {
    const response = await deploy(asAdmin(), {
      repositoryUrl: weather.url,
      replace: 'yes',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('replace');
  });
});
