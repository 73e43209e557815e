import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { DeployAcceptedView, DeploymentView } from '@mcp-proxy/shared/dto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { freePort } from './support/built-app';
import { finished } from './support/deployments';
import { GitFixtures } from './support/git-fixtures';
import { connectClient } from './support/mcp-clients';
import { adminGet, eventually, RunningApp, startApp } from './support/running-app';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * The same deploys through BullMQ on the local Redis (a queue prefix of this run's own, removed
 * afterwards): jobs run, one per service at a time, and a clone that fails for a passing reason is
 * tried again with back-off. The fixture server is not GITHUB_HOST here, so GitHub's API is not asked.
 */
describe('GitHub deploys through BullMQ on Redis', () => {
  const prefix = `mcp-proxy-test-${randomUUID()}`;
  let git: GitFixtures;
  let running: RunningApp;
  let queue: Queue;
  const clients: Client[] = [];

  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function deploy(body: Record<string, unknown>): Promise<DeployAcceptedView> {
    return (
      await running
        .api()
        .post('/api/github/deploy')
        .set(...key())
        .send(body)
        .expect(202)
    ).body as DeployAcceptedView;
  }

  const deployment = (id: string) => adminGet<DeploymentView>(running, `/api/deployments/${id}`);

  beforeAll(async () => {
    git = await GitFixtures.start('unused-token');
    running = await startApp({
      REDIS_URL,
      DEPLOY_QUEUE_PREFIX: prefix,
      DEPLOY_ATTEMPTS: '3',
      DEPLOY_BACKOFF_MS: '100',
      PROCESS_STOP_GRACE_SEC: '2',
    });
    queue = new Queue('deploys', {
      connection: { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) },
      prefix,
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await queue?.close();
    await running?.close();
    await git?.close();
    // Nothing of this run stays in Redis.
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  it('runs a deploy as a BullMQ job: the service answers through the proxy, the job completed', async () => {
    const repo = git.repo('acme/queued', 'mcp-json');
    const accepted = await deploy({ repositoryUrl: repo.url });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done).toMatchObject({ status: 'succeeded', commit: repo.head(), serviceName: 'queued', attempts: 1 });
    // Not GITHUB_HOST: cloned without asking GitHub's API.
    expect(done.log).not.toContain('==> GitHub');
    const mcp = await connectClient(running.baseUrl, 'queued', running.env.apiKey, 'streamable');
    clients.push(mcp);
    expect((await mcp.listTools()).tools.map((tool) => tool.name)).toEqual(['version', 'env']);

    const job = await queue.getJob(accepted.deploymentId);
    expect(job?.data).toEqual({ deploymentId: accepted.deploymentId, serviceId: accepted.serviceId });
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toBe('succeeded');
  });

  it('runs deploys of one service one after another, in order', async () => {
    const repo = git.repo('acme/serial', 'mcp-json');
    const first = await deploy({ repositoryUrl: repo.url });
    const second = await deploy({ repositoryUrl: repo.url, serviceName: 'serial' });
    const [a, b] = [await finished(deployment, first.deploymentId), await finished(deployment, second.deploymentId)];
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(Date.parse(b.timings.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(a.timings.finishedAt ?? ''));
    // The same commit again: its build is reused, not made twice.
    expect(b.log).toContain(`==> commit ${repo.head().slice(0, 12)} is built already`);
  });

  it('tries a clone that fails for a passing reason again, with back-off, then fails with the reason', async () => {
    const port = await freePort();
    const accepted = await deploy({ repositoryUrl: `http://127.0.0.1:${port}/acme/offline.git`, serviceName: 'offline' });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done).toMatchObject({ status: 'failed', attempts: 3 });
    expect(done.error).toMatch(
      new RegExp(`^git clone of http://127.0.0.1:${port}/acme/offline.git failed: .*(Connection refused|Failed to connect)`),
    );
    expect(done.log).toContain('==> attempt 2 of 3');
    expect(done.log).toContain('==> attempt 3 of 3');
    // The deployment is recorded failed a moment before BullMQ moves the job (the worker returns after the log is stored).
    const job = await eventually(async () => {
      const found = await queue.getJob(accepted.deploymentId);
      expect(await found?.getState()).toBe('failed');
      return found;
    }, 10_000);
    expect(job?.attemptsMade).toBe(3);
  });

  it('does not try again what cannot pass: a missing branch fails at once', async () => {
    const repo = git.repo('acme/branchless', 'mcp-json');
    const done = await finished(deployment, (await deploy({ repositoryUrl: repo.url, branch: 'no-such-branch' })).deploymentId);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error: `branch "no-such-branch" does not exist in ${repo.url}` });
  });
});
