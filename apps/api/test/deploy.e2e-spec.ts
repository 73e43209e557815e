import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { DeployAcceptedView, DeploymentSummaryView, DeploymentView, ServiceView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { signatureOf } from '../src/deploy/webhook/webhook-signature';
import { finished } from './support/deployments';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { connectClient, textOf } from './support/mcp-clients';
import { eventually, RunningApp, startApp } from './support/running-app';

const TOKEN = 'ghp_fixtureToken0123456789abcdef';
const WEBHOOK_SECRET = 'webhook-secret-for-tests';

/**
 * Deploys from real git repositories served by `git http-backend` on 127.0.0.1 (the fixture server
 * counts as GITHUB_HOST, with a stub of GitHub's API beside it), through the in-process queue, and
 * checked the way a user would: the deployment's record, and the MCP server through the proxy.
 */

describe('GitHub deploys (in-process queue, real git, real npm, real children)', () => {
  let git: GitFixtures;
  let running: RunningApp;
  let weather: FixtureRepo;
  const clients: Client[] = [];

  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const api = () => running.api();

  async function deploy(body: Record<string, unknown>): Promise<DeployAcceptedView> {
    const response = await api()
      .post('/api/github/deploy')
      .set(...key())
      .send(body);
    expect(response.status).toBe(202);
    return response.body as DeployAcceptedView;
  }

  async function deployment(id: string): Promise<DeploymentView> {
    return (
      await api()
        .get(`/api/deployments/${id}`)
        .set(...key())
        .expect(200)
    ).body as DeploymentView;
  }

  async function service(name: string): Promise<ServiceView> {
    return (
      await api()
        .get(`/api/services/${name}`)
        .set(...key())
        .expect(200)
    ).body as ServiceView;
  }

  async function client(name: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, name, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function versionOf(mcp: Client): Promise<string> {
    return textOf(await mcp.callTool({ name: 'version', arguments: {} }));
  }

  function webhook(event: string, payload: unknown, signature?: string) {
    const body = JSON.stringify(payload);
    const request = api()
      .post('/api/github/webhook')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', event)
      .set('X-GitHub-Delivery', randomUUID());
    return request.set('X-Hub-Signature-256', signature ?? signatureOf(body, WEBHOOK_SECRET)).send(body);
  }

  function pushOf(repo: FixtureRepo, branch: string, after: string): Record<string, unknown> {
    const [owner, name] = repo.path.split('/');
    return {
      ref: `refs/heads/${branch}`,
      before: '0'.repeat(40),
      after,
      created: false,
      deleted: false,
      forced: false,
      repository: { name, full_name: repo.path, owner: { login: owner }, clone_url: repo.url, html_url: repo.url.replace(/\.git$/, '') },
      pusher: { name: 'fixture' },
      head_commit: { id: after, message: 'change' },
    };
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    weather = git.repo('acme/weather', 'mcp-json');
    running = await startApp({
      ...git.appEnv,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROCESS_STOP_GRACE_SEC: '2',
    });
  }, 30_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await running?.close();
    await git?.close();
  });

  it('deploys a repository described by mcp.json: the service answers tools/list through the proxy', async () => {
    const started = performance.now();
    const accepted = await deploy({ repositoryUrl: weather.url });
    expect(accepted).toEqual({ deploymentId: expect.any(String), serviceId: expect.any(String) });

    const done = await finished(deployment, accepted.deploymentId);
    expect(done).toMatchObject({
      id: accepted.deploymentId,
      serviceId: accepted.serviceId,
      serviceName: 'weather',
      status: 'succeeded',
      commit: weather.head(),
      branch: 'main',
      error: null,
      trigger: 'api',
    });
    const mcp = await client('weather');
    const tools = await mcp.listTools();
    const firstListMs = performance.now() - started;
    expect(tools.tools.map((tool) => tool.name)).toEqual(['version', 'env']);
    expect(await versionOf(mcp)).toBe('1');

    const { timings } = done;
    expect(timings).toMatchObject({ queuedAt: expect.any(String), startedAt: expect.any(String), finishedAt: expect.any(String) });
    for (const step of ['cloneMs', 'installMs', 'buildMs', 'startMs'] as const) expect(timings[step]).toEqual(expect.any(Number));
    // The log tells the story, step by step, with git's own output.
    expect(done.log).toContain(`==> GitHub: acme/weather (public), main is at ${weather.head().slice(0, 12)}`);
    expect(done.log).toMatch(/Cloning into/);
    expect(done.log).toContain('==> manifest from mcp.json: weather, entry point src/server.mjs');
    expect(done.log).toContain('==> no dependencies to install');
    expect(done.log).toContain('==> MCP check passed: weather answered initialize and listed 2 tools');

    const view = await service('weather');
    const buildDir = join(running.env.vars['CLONE_DIRECTORY'], 'weather', weather.head());
    expect(view).toMatchObject({
      status: 'running',
      repository: { url: weather.url, branch: 'main', entryPoint: null, allowScripts: false },
      process: { command: 'node', args: ['src/server.mjs'], cwd: buildDir },
      environment: { SERVER_NAME: '********' },
    });
    process.stdout.write(
      `deploy timing (mcp.json repo, no dependencies): POST → first tools/list ${Math.round(firstListMs)} ms; ` +
        `clone ${timings.cloneMs} ms, install ${timings.installMs} ms, build ${timings.buildMs} ms, start+check+swap ${timings.startMs} ms\n`,
    );
  });

  it('deploys a repository described by package.json: npm ci of its lock file, npm run build, the required variable given', async () => {
    const notes = git.repo('acme/notes', 'package-mcp');
    const accepted = await deploy({ repositoryUrl: notes.url, serviceName: 'notes', environment: { NOTES_TOKEN: 'notes-secret-value' } });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.log).toContain('==> manifest from package.json: notes-mcp, entry point dist/server.mjs, requires NOTES_TOKEN');
    expect(done.log).toContain('$ npm ci --no-audit --no-fund --no-progress --include=dev --ignore-scripts');
    expect(done.log).toContain('[fixture-helper] built dist/server.mjs');
    expect(done.log).not.toContain('notes-secret-value');

    const mcp = await client('notes');
    expect((await mcp.listTools()).tools).toHaveLength(2);
    expect(textOf(await mcp.callTool({ name: 'env', arguments: { name: 'NOTES_TOKEN' } }))).toBe('set');
    // The proxy's own settings never reach the server, not even through the build.
    expect(textOf(await mcp.callTool({ name: 'env', arguments: { name: 'GITHUB_TOKEN' } }))).toBe('unset');
    expect((await service('notes')).process).toMatchObject({ command: 'node', args: ['dist/server.mjs'] });
  });

  it('fails a deploy that lacks a required variable, naming each one, before installing anything', async () => {
    const forecast = git.repo('acme/forecast', 'missing-env');
    const accepted = await deploy({ repositoryUrl: forecast.url, environment: { WEATHER_REGION: 'eu' } });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done.status).toBe('failed');
    expect(done.error).toBe(
      `missing required environment variable WEATHER_API_KEY (the repository's mcp-manifest.json requires it): set it in the deploy's "environment"`,
    );
    expect(done.timings.installMs).toBeNull();
    const view = await service('forecast');
    // Nothing to run, and the service says why rather than looking ready to start.
    expect(view).toMatchObject({ status: 'failed', process: { command: null, cwd: null } });
    expect(view.statusReason).toMatch(/^deploy failed: missing required environment variable WEATHER_API_KEY/);
    // Nothing of the failed build is left on disk.
    expect(readdirSync(join(running.env.vars['CLONE_DIRECTORY'], 'forecast'))).toEqual([]);
  });

  it('fails a deploy whose build fails, with the compiler output in the reason and the log', async () => {
    const broken = git.repo('acme/broken-build', 'build-fails');
    const accepted = await deploy({ repositoryUrl: broken.url });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^build failed: npm run build exited with code 2:/);
    expect(done.error).toContain('error TS2322');
    expect(done.log).toContain('error TS2322');
    expect(done.timings.buildMs).toBeNull();
    expect(await service('broken-build')).toMatchObject({
      status: 'failed',
      statusReason: expect.stringContaining('error TS2322'),
      process: { command: null },
    });
  });

  it('deploys a private repository with GITHUB_TOKEN, which never shows in the log, the URL or the service', async () => {
    const secret = git.repo('acme/secret-tools', 'mcp-json', { private: true });
    const accepted = await deploy({ repositoryUrl: secret.url, serviceName: 'secret-tools' });
    const done = await finished(deployment, accepted.deploymentId);
    expect(done.error).toBeNull();
    expect(done.log).toContain('==> GitHub: acme/secret-tools (private)');
    expect(git.server.requests.some((request) => request.path.startsWith('/acme/secret-tools.git/') && request.authorized)).toBe(true);
    const everything = JSON.stringify([done, await service('secret-tools')]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect((await (await client('secret-tools')).listTools()).tools).toHaveLength(2);
  });

  it('does not send the token to a host that is not GITHUB_HOST: the private repository is refused there', async () => {
    const elsewhere = git.repo('acme/secret-elsewhere', 'mcp-json', { private: true });
    const url = elsewhere.url.replace('127.0.0.1', 'localhost');
    const done = await finished(deployment, (await deploy({ repositoryUrl: url, serviceName: 'secret-elsewhere' })).deploymentId);
    expect(done.status).toBe('failed');
    expect(done.error).toBe(`${url} needs credentials: set GITHUB_TOKEN (and GITHUB_HOST, for a host other than github.com)`);
    expect(done.log).not.toContain('==> GitHub:');
  });

  it('fails clearly when GitHub says the repository does not exist', async () => {
    const done = await finished(deployment, (await deploy({ repositoryUrl: `${git.server.origin}/acme/nothing-here.git` })).deploymentId);
    expect(done.status).toBe('failed');
    expect(done.error).toBe('repository acme/nothing-here not found on GitHub (or GITHUB_TOKEN cannot see it)');
    expect(done.timings.cloneMs).toBeNull();
  });

  it('refuses bad deploy requests with 400 naming the field', async () => {
    const response = await api()
      .post('/api/github/deploy')
      .set(...key())
      .send({ repositoryUrl: `http://user:${TOKEN}@example.com/a/b.git`, serviceName: 'Bad Name' });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([
      'repositoryUrl must be an http(s) URL without credentials (set GITHUB_TOKEN for private repositories)',
      'serviceName must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit',
    ]);
    await api()
      .get('/api/deployments/5a7c1f3e-0000-4000-8000-000000000000')
      .set(...key())
      .expect(404);
    await api().post('/api/github/deploy').send({ repositoryUrl: weather.url }).expect(401);
  });

  it('a failed MCP check leaves the running version serving, and the deployment failed with the reason', async () => {
    const mcp = await client('weather');
    const crashing = weather.commit(
      {
        VERSION: '1-crashing\n',
        'mcp.json': JSON.stringify({ name: 'weather', entryPoint: 'src/server.mjs', defaultEnv: { CRASH_ON_START: '1-crashing' } }),
      },
      { branch: 'crashing' },
    );
    const done = await finished(
      deployment,
      (await deploy({ repositoryUrl: weather.url, serviceName: 'weather', branch: 'crashing' })).deploymentId,
    );
    expect(done).toMatchObject({ status: 'failed', commit: crashing });
    // The server's own words (with the variable's value masked: the service's variables are secrets).
    expect(done.error).toBe(
      'the new version failed its MCP check: it exited during the check (exited with code 3: refusing to start version ********: CRASH_ON_START)',
    );
    expect(await versionOf(mcp)).toBe('1');
    const view = await service('weather');
    expect(view).toMatchObject({
      status: 'running',
      repository: { branch: 'main' },
      process: { cwd: join(running.env.vars['CLONE_DIRECTORY'], 'weather', weather.head()) },
    });
    expect(existsSync(join(running.env.vars['CLONE_DIRECTORY'], 'weather', crashing))).toBe(false);
  });

  it('a webhook with a bad or missing signature is refused with 401 and changes nothing', async () => {
    const before = (
      await api()
        .get('/api/services/weather/deployments')
        .set(...key())
        .expect(200)
    ).body as DeploymentSummaryView[];
    const push = pushOf(weather, 'main', weather.head());
    await webhook('push', push, signatureOf(JSON.stringify(push), 'not-the-secret')).expect(401);
    await webhook('push', push, 'sha256=').expect(401);
    await api().post('/api/github/webhook').set('X-GitHub-Event', 'push').send(push).expect(401);
    const after = (
      await api()
        .get('/api/services/weather/deployments')
        .set(...key())
        .expect(200)
    ).body as DeploymentSummaryView[];
    expect(after).toEqual(before);
  });

  it('answers ping with 200 and ignores other events and pushes to branches nobody deploys with 202', async () => {
    expect((await webhook('ping', { zen: 'Design for failure.', hook_id: 1 }).expect(200)).body).toEqual({ result: 'pong' });
    expect((await webhook('issues', { action: 'opened' }).expect(202)).body).toEqual({
      result: 'ignored',
      reason: '"issues" events are not acted on',
    });
    const elsewhere = pushOf(weather, 'feature-x', weather.head());
    expect((await webhook('push', elsewhere).expect(202)).body).toMatchObject({ result: 'ignored' });
  });

  it('a signed push redeploys to the new commit while a client keeps calling: no call fails during the swap', async () => {
    await api()
      .patch('/api/services/weather')
      .set(...key())
      .send({ proxy: { rateLimit: 0 } })
      .expect(200);
    const mcp = await client('weather');
    const seen: string[] = [];
    const failures: unknown[] = [];
    let calling = true;
    const loop = (async () => {
      while (calling) {
        try {
          seen.push(await versionOf(mcp));
        } catch (error) {
          failures.push(error);
          if (failures.length > 20) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })();
    const live = await followDeployments();
    try {
      await eventually(async () => expect(seen.length).toBeGreaterThan(5), 5000);
      const commit = weather.commit({ VERSION: '2\n' }, { message: 'version 2' });
      const response = await webhook('push', pushOf(weather, 'main', commit)).expect(202);
      expect(response.body).toEqual({ result: 'queued', deploymentIds: [expect.any(String)] });
      const [deploymentId] = response.body.deploymentIds as string[];
      live.follow(deploymentId);

      const done = await finished(deployment, deploymentId);
      expect(done).toMatchObject({ status: 'succeeded', trigger: 'webhook', commit });
      await eventually(async () => expect(seen[seen.length - 1]).toBe('2'), 5000);
      // The replaced child finished what it had in flight, then went away.
      await eventually(
        async () => expect((await service('weather')).process.cwd).toBe(join(running.env.vars['CLONE_DIRECTORY'], 'weather', commit)),
        5000,
      );

      // Live progress on /ws: every status in order, then the log lines.
      const messages = await live.until(deploymentId, 'succeeded');
      expect(messages.statuses).toEqual(['queued', 'cloning', 'installing', 'building', 'starting', 'succeeded']);
      expect(messages.lines.join('\n')).toContain('==> MCP check passed');
    } finally {
      calling = false;
      await loop;
      live.close();
    }
    expect(failures).toEqual([]);
    expect(seen.indexOf('2')).toBeGreaterThan(0);
    expect(seen.slice(seen.indexOf('2'))).not.toContain('1');
  }, 30_000);

  it('rolls back to the previous build, and keeps no more than the last 3 builds', async () => {
    const mcp = await client('weather');
    const current = weather.head();
    const rollback = await api()
      .post('/api/services/weather/rollback')
      .set(...key())
      .expect(202);
    const done = await finished(deployment, rollback.body.deploymentId);
    expect(done).toMatchObject({ status: 'succeeded', trigger: 'rollback' });
    expect(done.timings.cloneMs).toBeNull();
    await eventually(async () => expect(await versionOf(mcp)).toBe('1'), 5000);
    expect(done.commit).not.toBe(current);

    // Two more builds: 3 + 4; the oldest builds go, the newest three stay.
    weather.commit({ VERSION: '3\n' });
    await finished(deployment, (await deploy({ repositoryUrl: weather.url, serviceName: 'weather' })).deploymentId);
    weather.commit({ VERSION: '4\n' });
    const fourth = await finished(deployment, (await deploy({ repositoryUrl: weather.url, serviceName: 'weather' })).deploymentId);
    expect(fourth.status).toBe('succeeded');
    expect(await versionOf(mcp)).toBe('4');
    expect(readdirSync(join(running.env.vars['CLONE_DIRECTORY'], 'weather')).sort()).toHaveLength(3);

    const history = (
      await api()
        .get('/api/services/weather/deployments')
        .set(...key())
        .expect(200)
    ).body as DeploymentSummaryView[];
    expect(history[0]).toMatchObject({ id: fourth.id, status: 'succeeded' });
    expect(history.map((item) => item.trigger)).toContain('rollback');
    expect(history[0]).not.toHaveProperty('log');
  }, 30_000);

  /** A live client on /ws that follows deployment channels and collects their messages. */
  async function followDeployments() {
    const socket = new WebSocket(`${running.baseUrl.replace(/^http/, 'ws')}/ws?token=${running.env.apiKey}`);
    const byDeployment = new Map<string, { statuses: string[]; lines: string[] }>();
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const id = typeof message.channel === 'string' ? message.channel.replace(/^deploy:/, '') : '';
      const entry = byDeployment.get(id);
      if (!entry) return;
      if (message.type === 'deployment' && entry.statuses[entry.statuses.length - 1] !== message.deployment.status)
        entry.statuses.push(message.deployment.status);
      if (message.type === 'deploy-log') entry.lines.push(...message.lines);
    });
    await new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
    });
    return {
      follow(id: string): void {
        byDeployment.set(id, { statuses: [], lines: [] });
        socket.send(JSON.stringify({ type: 'subscribe', channel: `deploy:${id}` }));
      },
      async until(id: string, status: string) {
        return eventually(async () => {
          const entry = byDeployment.get(id);
          if (!entry?.statuses.includes(status)) throw new Error(`no ${status} yet on deploy:${id}`);
          return entry;
        }, 5000);
      },
      close: () => socket.close(),
    };
  }
});
