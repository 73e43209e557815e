import type { DeployAcceptedView, DeploymentView } from '@mcp-proxy/shared/dto';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ClusterInstance, descendsFrom, processesOfDeployment, startClusterInstance, TEST_REDIS_URL } from './support/cluster-instances';
import { finished, reached } from './support/deployments';
import { GitFixtures } from './support/git-fixtures';
import { api } from './support/keep-calling';
import { createTemporaryDatabase } from './support/postgres';
import { eventually } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(180_000);

const LEASE_TTL_SEC = 3;
/** A build script that never finishes by itself: its instance is killed, or another joins, while it runs. */
const SLEEPING_BUILD = { build: 'node -e "setTimeout(() => {}, 120000)"' };

type Instance = ClusterInstance;

/**
 * Deploys in a cluster of built proxies on one PostgreSQL and one Redis (the BullMQ queue): a deployment
 * runs on one instance; another instance starting up leaves it alone, and when its instance is killed
 * (SIGKILL) a survivor fails it cleanly within a few lease times, after which the service deploys again.
 */
describe('deploys across instances (built bundles, PostgreSQL + Redis)', () => {
  let env: TestEnv;
  let git: GitFixtures;
  let database: { url: string; drop: () => Promise<void> };
  let redis: Redis;
  const prefix = `mcp-proxy-test-deploys-${process.pid}-${Date.now()}`;
  const instances: Instance[] = [];
  const deploymentIds: string[] = [];

  async function startInstance(id: string): Promise<Instance> {
    const instance = await startClusterInstance({ env, databaseUrl: database.url, prefix, leaseTtlSec: LEASE_TTL_SEC }, id);
    instances.push(instance);
    return instance;
  }

  const deployment = (instance: Instance, id: string): Promise<DeploymentView> =>
    api<DeploymentView>(instance.url, env.apiKey, 'GET', `/api/deployments/${id}`);

  /** The instance whose process tree holds the deployment's build. */
  function runnerOf(deploymentId: string): Instance {
    const [pid] = processesOfDeployment(deploymentId);
    const runner = instances.find((instance) => descendsFrom(pid, instance.app.child.pid ?? -1));
    if (!runner) throw new Error(`no instance runs the build of ${deploymentId}`);
    return runner;
  }

  beforeAll(async () => {
    env = makeTestEnv({ JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    git = await GitFixtures.start('unused-token');
    database = await createTemporaryDatabase();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    // One after the other: the first one runs the migrations.
    await startInstance('a');
    await startInstance('b');
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.app.stop()));
    for (const id of deploymentIds) for (const pid of processesOfDeployment(id)) process.kill(pid, 'SIGKILL');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await database?.drop();
    await git?.close();
    env?.cleanup();
  });

  it('an instance joining leaves a deploy running elsewhere alone; a killed runner’s deploy is failed by a survivor', async () => {
    const [a] = instances;
    const slow = git.repo('acme/slow', 'mcp-json');
    slow.commit({ 'package.json': JSON.stringify({ name: 'slow', version: '1.0.0', scripts: SLEEPING_BUILD }) });
    const accepted = await api<DeployAcceptedView>(a.url, env.apiKey, 'POST', '/api/github/deploy', { repositoryUrl: slow.url });
    deploymentIds.push(accepted.deploymentId);
    await reached((id) => deployment(a, id), accepted.deploymentId, ['building']);
    await eventually(async () => expect(processesOfDeployment(accepted.deploymentId).length).toBeGreaterThan(0), 10_000);
    const runner = runnerOf(accepted.deploymentId);

    // Starting an instance recovers its own interrupted deploys only: the one running on `runner` goes on.
    const c = await startInstance('c');
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_TTL_SEC * 1000));
    expect((await deployment(c, accepted.deploymentId)).status).toBe('building');
    expect(processesOfDeployment(accepted.deploymentId).length).toBeGreaterThan(0);

    // Its runner dies without a word: a survivor fails the deployment, and says why.
    const killedAt = Date.now();
    process.kill(runner.app.child.pid as number, 'SIGKILL');
    await runner.app.exited;
    const survivor = instances.find((instance) => instance !== runner) as Instance;
    const failed = await finished((id) => deployment(survivor, id), accepted.deploymentId, 30_000);
    expect(failed).toMatchObject({ status: 'failed', error: `interrupted: instance ${runner.id} stopped` });
    expect(failed.log).toContain(`==> failed: interrupted: instance ${runner.id} stopped`);
    // Within a few lease times (its heartbeat runs out, then two passes of the watch), not at some later restart.
    expect(Date.now() - killedAt).toBeLessThan(6 * LEASE_TTL_SEC * 1000);
    // On a shared host, the orphaned build goes too.
    await eventually(async () => expect(processesOfDeployment(accepted.deploymentId)).toEqual([]), 10_000);
    // A deploy of a build that finishes then succeeds on the survivors.
    slow.commit({ 'package.json': JSON.stringify({ name: 'slow', version: '1.0.1' }) });
    const again = await api<DeployAcceptedView>(survivor.url, env.apiKey, 'POST', '/api/github/deploy', {
      repositoryUrl: slow.url,
      serviceName: 'slow',
    });
    deploymentIds.push(again.deploymentId);
    const done = await finished((id) => deployment(survivor, id), again.deploymentId, 120_000);
    expect(done.status).toBe('succeeded');
  });
});
