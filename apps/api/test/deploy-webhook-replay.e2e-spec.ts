import type { DeployAcceptedView, DeploymentSummaryView, DeploymentView, WebhookResultView } from '@mcp-proxy/shared/dto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { DataSource } from 'typeorm';
import { DELIVERY_MEMORY_MS, WebhookDeliveries } from '../src/deploy/webhook/webhook-deliveries';
import { WebhookDeliveryEntity } from '../src/deploy/webhook/webhook-delivery.entity';
import { signatureOf } from '../src/deploy/webhook/webhook-signature';
import { finished } from './support/deployments';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

const WEBHOOK_SECRET = 'webhook-secret-for-tests';

jest.setTimeout(60_000);

/** A signed delivery exactly as captured on the wire: the same bytes, signature and delivery id can be sent again. */
interface Delivery {
  id: string;
  body: string;
  signature: string;
}

/**
 * A captured GitHub push cannot force another redeploy: its delivery id is accepted once, also
 * after a restart of the API (remembered in the database), and a push of the commit that already
 * runs does nothing. Real git server on loopback, real deploys, in-process queue.
 */
describe('GitHub webhook replays', () => {
  let git: GitFixtures;
  let env: TestEnv;
  let weather: FixtureRepo;
  let app: NestExpressApplication | null = null;
  let restore: () => void = () => undefined;

  const api = () => request((app as NestExpressApplication).getHttpServer());
  const key = (): [string, string] => ['X-API-Key', env.apiKey];
  const deployment = async (id: string): Promise<DeploymentView> =>
    (
      await api()
        .get(`/api/deployments/${id}`)
        .set(...key())
        .expect(200)
    ).body as DeploymentView;
  const history = async (): Promise<DeploymentSummaryView[]> =>
    (
      await api()
        .get('/api/services/weather/deployments')
        .set(...key())
        .expect(200)
    ).body as DeploymentSummaryView[];

  async function start(): Promise<void> {
    // The app takes its credentials out of the process environment once read: a restart sets them again, as a new process would have them.
    applyEnv(env.vars);
    app = await createApp();
    await app.listen(0, '127.0.0.1');
  }

  function pushOf(id: string, after: string): Delivery {
    const [owner, name] = weather.path.split('/');
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after,
      deleted: false,
      repository: {
        name,
        full_name: weather.path,
        owner: { login: owner },
        clone_url: weather.url,
        html_url: weather.url.replace(/\.git$/, ''),
      },
      head_commit: { id: after, message: 'change' },
    });
    return { id, body, signature: signatureOf(body, WEBHOOK_SECRET) };
  }

  function send(delivery: Delivery) {
    return api()
      .post('/api/github/webhook')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'push')
      .set('X-GitHub-Delivery', delivery.id)
      .set('X-Hub-Signature-256', delivery.signature)
      .send(delivery.body);
  }

  async function deliveredAndDeployed(delivery: Delivery, commit: string): Promise<void> {
    const response = await send(delivery).expect(202);
    const result = response.body as WebhookResultView;
    expect(result).toMatchObject({
      result: 'queued',
      deploymentIds: [expect.any(String)],
    });
    expect(await finished(deployment, (result.deploymentIds ?? [])[0])).toMatchObject({ status: 'succeeded', commit });
  }

  beforeAll(async () => {
    git = await GitFixtures.start('unused-token');
    weather = git.repo('acme/weather', 'mcp-json');
    env = makeTestEnv({
      GITHUB_HOST: git.host,
      GITHUB_API_URL: git.api.url,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROCESS_STOP_GRACE_SEC: '2',
    });
    restore = applyEnv(env.vars);
    await start();
    const first = (
      await api()
        .post('/api/github/deploy')
        .set(...key())
        .send({ repositoryUrl: weather.url })
        .expect(202)
    ).body as DeployAcceptedView;
    expect((await finished(deployment, first.deploymentId)).status).toBe('succeeded');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    restore();
    await git?.close();
    env?.cleanup();
  });

  it('accepts a delivery once, before and after a restart, and treats a push of the running commit as a no-op', async () => {
    const second = weather.commit({ VERSION: '2\n' }, { message: 'version 2' });
    const captured = pushOf('7d3f0c2e-0001-11ef-8a9b-0242ac120002', second);
    await deliveredAndDeployed(captured, second);
    const third = weather.commit({ VERSION: '3\n' }, { message: 'version 3' });
    const latest = pushOf('7d3f0c2e-0002-11ef-8a9b-0242ac120002', third);
    await deliveredAndDeployed(latest, third);
    const deployments = (await history()).length;

    // The captured delivery names a commit that no longer runs: only its id stops the redeploy.
    const replayed = await send(captured);
    expect(replayed.status).toBeLessThan(300);
    expect(replayed.body).toEqual({
      result: 'ignored',
      reason: expect.stringContaining('already received'),
    });
    expect((await history()).length).toBe(deployments);

    await app?.close();
    await start();
    for (const delivery of [captured, latest]) {
      const again = await send(delivery);
      expect({ status: again.status < 300, body: again.body }).toEqual({
        status: true,
        body: {
          result: 'ignored',
          reason: expect.stringContaining('already received'),
        },
      });
    }
    expect((await history()).length).toBe(deployments);

    // A new delivery of the head that already runs changes nothing either.
    const sameHead = await send(pushOf('7d3f0c2e-0003-11ef-8a9b-0242ac120002', third));
    expect(sameHead.status).toBeLessThan(300);
    expect(sameHead.body).toEqual({
      result: 'ignored',
      reason: expect.stringContaining(`${third} is already deployed`),
    });
    expect((await history()).length).toBe(deployments);
  });

  it('forgets deliveries past their memory window, and only those', async () => {
    const deliveries = (app as NestExpressApplication).get(DataSource).getRepository(WebhookDeliveryEntity);
    const old = new Date(Date.now() - DELIVERY_MEMORY_MS - 60_000);
    await deliveries.update({ id: '7d3f0c2e-0001-11ef-8a9b-0242ac120002' }, { receivedAt: old });
    expect(await (app as NestExpressApplication).get(WebhookDeliveries).sweep()).toBe(1);
    expect((await deliveries.find({ order: { id: 'ASC' } })).map((row) => row.id)).toEqual([
      '7d3f0c2e-0002-11ef-8a9b-0242ac120002',
      '7d3f0c2e-0003-11ef-8a9b-0242ac120002',
    ]);
  });

  it('refuses a signed delivery without X-GitHub-Delivery with 400 naming the header', async () => {
    const delivery = pushOf('unused', weather.head());
    const response = await api()
      .post('/api/github/webhook')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'push')
      .set('X-Hub-Signature-256', delivery.signature)
      .send(delivery.body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toContain('X-GitHub-Delivery');
  });
});
