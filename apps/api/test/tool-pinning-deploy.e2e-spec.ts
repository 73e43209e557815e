import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { AuditPageView, DeployAcceptedView, DeploymentView, ServiceToolPinsView, ToolChangeView } from '@mcp-proxy/shared/dto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished, reached } from './support/deployments';
import { FIXTURES, FixtureRepo, GitFixtures } from './support/git-fixtures';
import { connectClient, textOf } from './support/mcp-clients';
import { adminGet, eventually, RunningApp, startApp } from './support/running-app';

const TOKEN = 'ghp_fixtureToken0123456789abcdef';
const PASSWORD = 'correct horse battery';
const SERVER = readFileSync(join(FIXTURES, 'server.mjs'), 'utf8');
const ENV_PROPERTIES = `properties: { name: { type: 'string' } }`;

/** The fixture server with the `env` tool asking for more: one more property in its input schema. */
function serverWith(extraProperty: string): string {
  if (!SERVER.includes(ENV_PROPERTIES)) throw new Error('the fixture server changed: update this test');
  return SERVER.replace(ENV_PROPERTIES, `properties: { name: { type: 'string' }, ${extraProperty}: { type: 'boolean' } }`);
}

/**
 * The deploy gate of tool pinning, against real git repositories on a loopback git server (the GitHub stand-in of
 * the deploy tests): under `block` a redeploy whose new version changes a tool's schema waits for an admin, the
 * deployment shows the diff, and the old version serves until the approval promotes the new one (or a rejection
 * discards it); under `warn` it is promoted and the diff recorded on the deployment.
 */
jest.setTimeout(90_000);

describe('tool pinning at the deploy gate', () => {
  let git: GitFixtures;
  let running: RunningApp;
  let weather: FixtureRepo;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
  const deployment = (id: string): Promise<DeploymentView> => adminGet<DeploymentView>(running, `/api/deployments/${id}`);

  async function client(): Promise<Client> {
    const connected = await connectClient(running.baseUrl, 'weather', running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function version(): Promise<string> {
    return textOf(await (await client()).callTool({ name: 'version', arguments: {} }));
  }

  async function redeploy(): Promise<string> {
    const response = await running
      .api()
      .post('/api/services/weather/redeploy')
      .set(...key())
      .expect(202);
    return (response.body as DeployAcceptedView).deploymentId;
  }

  async function setPolicy(driftPolicy: string): Promise<void> {
    await running
      .api()
      .patch('/api/services/weather')
      .set(...key())
      .send({ proxy: { driftPolicy } })
      .expect(200);
  }

  async function login(username: string, role: string): Promise<string> {
    await running
      .api()
      .post('/api/users')
      .set(...key())
      .send({ username, password: PASSWORD, role })
      .expect(201);
    return ((await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201)).body as { token: string })
      .token;
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    weather = git.repo('acme/weather', 'mcp-json');
    running = await startApp({ ...git.appEnv, PROCESS_STOP_GRACE_SEC: '2' });
    const accepted = (
      await running
        .api()
        .post('/api/github/deploy')
        .set(...key())
        .send({ repositoryUrl: weather.url })
        .expect(202)
    ).body as DeployAcceptedView;
    expect((await finished(deployment, accepted.deploymentId)).status).toBe('succeeded');
    // The first version's tools are pinned when first seen.
    await eventually(async () => {
      const pins = await adminGet<ServiceToolPinsView>(running, '/api/services/weather/tool-pins');
      if (pins.pinned.length !== 2) throw new Error(`${pins.pinned.length} pinned`);
    });
    await setPolicy('block');
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await running?.close();
    await git?.close();
  });

  it('block: a redeploy that widens a schema waits with its diff while the old version serves; an admin approval promotes it', async () => {
    weather.commit({ VERSION: '2\n', 'src/server.mjs': serverWith('reveal') });
    const id = await redeploy();
    const waiting = await reached(deployment, id, ['awaiting-approval', 'succeeded', 'failed'], 60_000);
    expect(waiting.status).toBe('awaiting-approval');
    expect(waiting.toolDrift).toMatchObject({ policy: 'block', state: 'awaiting-approval', decidedBy: null });
    expect(waiting.toolDrift?.changes).toEqual([
      expect.objectContaining({
        tool: 'env',
        kind: 'changed',
        diff: expect.objectContaining({
          description: null,
          inputSchema: { added: [{ path: 'reveal', required: false, schema: { type: 'boolean' } }], removed: [], changed: [] },
        }),
      }),
    ]);
    expect(waiting.log).toContain('==> its tools differ from the pinned ones: env (changed)');
    expect(waiting.log).toMatch(/==> waiting for an admin to approve the tool changes/);
    expect(await version()).toBe('1');
    // Parked, not stuck: health does not count it.
    expect((await running.api().get('/health').expect(200)).body.problemCounts.deploy).toBe(0);

    const operator = await login('deploy-operator', 'operator');
    await running
      .api()
      .post(`/api/deployments/${id}/approve`)
      .set(...bearer(operator))
      .expect(403);
    await running.api().post(`/api/deployments/${id}/approve`).expect(401);
    const approved = await running
      .api()
      .post(`/api/deployments/${id}/approve`)
      .set(...key())
      .expect(202);
    expect(approved.body).toEqual({ deploymentId: id, serviceId: waiting.serviceId });

    const done = await finished(deployment, id, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', error: null, toolDrift: { state: 'approved', decidedBy: 'admin' } });
    expect(done.log).toContain('==> tool changes approved by admin');
    expect(await version()).toBe('2');
    const tools = (await (await client()).listTools()).tools;
    expect(tools.find((tool) => tool.name === 'env')?.inputSchema).toMatchObject({ properties: { reveal: { type: 'boolean' } } });
    const pins = await adminGet<ServiceToolPinsView>(running, '/api/services/weather/tool-pins');
    expect(pins.pinned.find((pin) => pin.name === 'env')).toMatchObject({ approvedBy: 'admin' });
    expect(pins.pending).toEqual([]);
    const audit = await adminGet<AuditPageView>(running, '/api/audit?action=deploy.tools.approve');
    expect(audit.items[0]).toMatchObject({ actor: 'admin', target: 'weather', detail: expect.objectContaining({ deploymentId: id }) });
    await running
      .api()
      .post(`/api/deployments/${id}/approve`)
      .set(...key())
      .expect(409);
  });

  it('block: a rejected redeploy fails and the approved version keeps serving', async () => {
    weather.commit({ VERSION: '3\n', 'src/server.mjs': serverWith('everything') });
    const id = await redeploy();
    expect((await reached(deployment, id, ['awaiting-approval', 'succeeded', 'failed'], 60_000)).status).toBe('awaiting-approval');
    const rejected = await running
      .api()
      .post(`/api/deployments/${id}/reject`)
      .set(...key())
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'failed',
      error: 'tool changes rejected by admin: the running version keeps serving',
      toolDrift: { state: 'rejected', decidedBy: 'admin' },
    });
    expect(await version()).toBe('2');
    await running
      .api()
      .post(`/api/deployments/${id}/approve`)
      .set(...key())
      .expect(409);
  });

  it('warn: the redeploy is promoted and its diff recorded on the deployment and for review', async () => {
    await setPolicy('warn');
    weather.commit({ VERSION: '4\n', 'src/server.mjs': serverWith('verbose') });
    const done = await finished(deployment, await redeploy(), 60_000);
    expect(done).toMatchObject({ status: 'succeeded', toolDrift: { policy: 'warn', state: 'recorded' } });
    expect(done.toolDrift?.changes.map((change) => [change.tool, change.kind])).toEqual([['env', 'changed']]);
    expect(await version()).toBe('4');
    const pending = await adminGet<ToolChangeView[]>(running, '/api/tool-changes?service=weather');
    expect(pending).toEqual([expect.objectContaining({ tool: 'env', kind: 'changed', deploymentId: done.id, policy: 'warn' })]);
  });
});
