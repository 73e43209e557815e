import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigFileWatcher } from '../src/config-file/config-file-watcher';
import { finished } from './support/deployments';
import { importConfig, withoutRuntimeFacts } from './support/config-files';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp, waitForStatus } from './support/running-app';
import { applyEnv } from './support/test-env';

const PROBE_SERVER = join(__dirname, 'fixtures', 'probe-server.mjs');
const HTTP_SERVER = join(__dirname, 'fixtures', 'http-echo-server.mjs');
const TOKEN = 'ghp_fixtureToken0123456789abcdef';

type View = Record<string, unknown> & { name: string };

/**
 * Export → import on an empty proxy, for a proxy holding one service of every kind: every service
 * and group view and every setting changed at runtime comes back the same (ids, times, status and the build's path aside), a tool call
 * works through a re-created group, and the file also applies through CONFIG_FILE. Without
 * `?secrets=true` no secret value is written (the importing proxy takes them from its environment);
 * with it (admins only, audited) the sealed values travel and the import needs nothing else.
 */
describe('configuration round trip: one service of every kind', () => {
  let git: GitFixtures;
  let weather: FixtureRepo;
  const gitEnv = (): Record<string, string> => ({
    ...git.appEnv,
    PROCESS_STOP_GRACE_SEC: '2',
  });

  // Runtime facts differ between two proxies; a deployed service's build lives under each proxy's own clone folder.
  const comparableService = (view: View) => {
    const rest = withoutRuntimeFacts(view);
    return {
      ...rest,
      process: { ...(rest['process'] as object), cwd: rest['repository'] ? 'build' : (rest['process'] as { cwd: unknown }).cwd },
    };
  };
  const comparableGroup = ({ id: _i, createdAt: _c, updatedAt: _u, ...rest }: View) => ({
    ...rest,
    members: (rest['members'] as { serviceId?: string }[]).map(({ serviceId: _id, ...member }) => member),
  });
  const services = async (app: RunningApp) =>
    ((await app.api().get('/api/services').set('X-API-Key', app.env.apiKey).expect(200)).body as View[]).map(comparableService);
  const groups = async (app: RunningApp) =>
    ((await app.api().get('/api/groups').set('X-API-Key', app.env.apiKey).expect(200)).body as View[]).map(comparableGroup);
  const runtimeSettings = async (app: RunningApp) =>
    (
      (await app.api().get('/api/settings').set('X-API-Key', app.env.apiKey).expect(200)).body as {
        key: string;
        value: unknown;
        source: string;
      }[]
    )
      .filter((setting) => setting.source === 'runtime')
      .map(({ key, value }) => ({ key, value }));
  const revealed = async (app: RunningApp, name: string) =>
    (await app.api().get(`/api/services/${name}/environment`).set('X-API-Key', app.env.apiKey).expect(200)).body;

  async function sayThroughGroup(app: RunningApp): Promise<string> {
    const mcp = await connectClient(app.baseUrl, 'g/pair', app.env.apiKey, 'streamable');
    try {
      return textOf(
        await mcp.callTool({
          name: 'everything__say',
          arguments: { message: 'round trip' },
        }),
      );
    } finally {
      // An open session would hold the proxy's graceful close.
      await mcp.close();
    }
  }

  let source: RunningApp;
  let plainExport: string;
  let secretExport: string;
  let expectedServices: object[];
  let expectedGroups: View[];
  let expectedSettings: { key: string; value: unknown }[];

  /** An empty proxy with `variables` in its environment (the importing side), stopped after `use`. */
  async function withEmptyProxy(variables: Record<string, string>, use: (target: RunningApp) => Promise<void>): Promise<void> {
    const restoreEnv = applyEnv(variables);
    const target = await startApp(gitEnv());
    try {
      await use(target);
    } finally {
      restoreEnv();
      await target.close();
    }
  }

  /** The target holds what the source held: services, groups, settings and secret values, and the group works. */
  async function expectSameAsSource(target: RunningApp): Promise<void> {
    await waitForStatus(target, 'weather', 'running', 60_000);
    await waitForStatus(target, 'everything', 'running');
    expect(await services(target)).toEqual(expectedServices);
    expect(await groups(target)).toEqual(expectedGroups);
    expect(await runtimeSettings(target)).toEqual(expectedSettings);
    for (const name of ['everything', 'upstream', 'weather']) expect(await revealed(target, name)).toEqual(secrets[name]);
    expect(await sayThroughGroup(target)).toBe('Echo: round trip');
  }
  const secrets: Record<string, unknown> = {};

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    weather = git.repo('acme/weather', 'mcp-json');
    source = await startApp(gitEnv());
    const key = (): [string, string] => ['X-API-Key', source.env.apiKey];
    await registerService(source, {
      name: 'everything',
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
      environment: { UPSTREAM_TOKEN: 'token-value-123' },
    });
    await registerService(source, {
      name: 'sessions',
      process: {
        command: process.execPath,
        args: [PROBE_SERVER],
        isolation: 'session',
        maxSessions: 3,
        sessionIdleTimeoutSec: 120,
        limits: { memoryMb: 512, maxProcesses: 64, maxOpenFiles: 256 },
        sandbox: { user: 'none', filesystem: 'none' },
      },
      proxy: {
        rateLimit: 50,
        toolLimits: { echo: 5, 'who*': 2 },
        auth: 'oauth',
        toolResultTtlSec: 30,
        responseMode: 'json',
      },
      start: false,
    });
    await registerService(source, {
      name: 'web',
      transport: 'http',
      process: {
        command: process.execPath,
        args: [HTTP_SERVER],
        port: 47_311,
        healthCheckIntervalSec: 0,
      },
      start: false,
    });
    await registerService(source, {
      name: 'upstream',
      transport: 'remote',
      remote: {
        url: 'http://127.0.0.1:9/mcp',
        protocol: 'sse',
        headers: {
          Authorization: 'Bearer ${REMOTE_TOKEN}',
          'X-Team': 'literal-team-secret',
        },
      },
      environment: { REMOTE_TOKEN: 'remote-token-value' },
      proxy: { path: '/mcp/far-away' },
      start: false,
    });
    const accepted = await source
      .api()
      .post('/api/github/deploy')
      .set(...key())
      .send({
        repositoryUrl: weather.url,
        environment: { SERVER_NAME: 'weather-name' },
      })
      .expect(202);
    const done = await finished(
      async (id) =>
        (
          await source
            .api()
            .get(`/api/deployments/${id}`)
            .set(...key())
            .expect(200)
        ).body,
      accepted.body.deploymentId,
    );
    expect(done.status).toBe('succeeded');
    await source
      .api()
      .post('/api/groups')
      .set(...key())
      .send({
        name: 'pair',
        members: [
          {
            service: 'everything',
            deny: ['get-env'],
            renames: { echo: { name: 'say', description: 'Says it back' } },
          },
          { service: 'sessions', allow: ['echo', 'whoami'] },
        ],
        deny: ['*__get-tiny-image'],
        separator: '__',
      })
      .expect(201);
    await source
      .api()
      .post('/api/groups')
      .set(...key())
      .send({
        name: 'finder',
        members: [{ service: 'everything' }, { service: 'weather' }],
        settings: { toolSearch: true, memberTimeoutSec: 5 },
        enabled: false,
      })
      .expect(201);
    expect(await sayThroughGroup(source)).toBe('Echo: round trip');
    await source
      .api()
      .patch('/api/settings')
      .set(...key())
      .send({ API_RATE_LIMIT: 5000, SERVICE_DEFAULT_MAX_RESTARTS: 7 })
      .expect(200);

    plainExport = (
      await source
        .api()
        .get('/api/config/export')
        .set(...key())
        .expect(200)
    ).text;
    secretExport = (
      await source
        .api()
        .get('/api/config/export?secrets=true')
        .set(...key())
        .expect(200)
    ).text;
    expectedServices = await services(source);
    expectedGroups = await groups(source);
    expectedSettings = await runtimeSettings(source);
    expect(expectedSettings).toEqual([
      { key: 'API_RATE_LIMIT', value: 5000 },
      { key: 'SERVICE_DEFAULT_MAX_RESTARTS', value: 7 },
    ]);
    for (const name of ['everything', 'upstream', 'weather']) secrets[name] = await revealed(source, name);
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await git?.close();
  });

  it('the plain export names every kind of service and writes no secret value', () => {
    for (const secret of ['token-value-123', 'remote-token-value', 'literal-team-secret', 'weather-name', TOKEN])
      expect(plainExport).not.toContain(secret);
    const document = parse(plainExport);
    expect(document.services.map((service: { name: string }) => service.name).sort()).toEqual([
      'everything',
      'sessions',
      'upstream',
      'weather',
      'web',
    ]);
    const upstream = document.services.find((service: { name: string }) => service.name === 'upstream');
    expect(upstream.remote).toEqual({
      url: 'http://127.0.0.1:9/mcp',
      protocol: 'sse',
      allowInsecureHttp: false,
      headers: {
        Authorization: 'Bearer ${REMOTE_TOKEN}',
        'X-Team': '${env:UPSTREAM_HEADER_X_TEAM}',
      },
    });
    expect(upstream.environment).toEqual({
      REMOTE_TOKEN: '${env:UPSTREAM_REMOTE_TOKEN}',
    });
    // The repository's own http:// URL (as the deploy pipeline accepts it), and no path of this proxy's build.
    const deployed = document.services.find((service: { name: string }) => service.name === 'weather');
    expect(deployed.repository).toMatchObject({
      url: weather.url,
      branch: 'main',
    });
    expect(deployed.process.cwd).toBeUndefined();
    expect(document.settings).toEqual({
      API_RATE_LIMIT: 5000,
      SERVICE_DEFAULT_MAX_RESTARTS: 7,
    });
  });

  it('plain export → an empty proxy with the secrets in its environment → the same services, groups and a working group', async () => {
    const env = {
      EVERYTHING_UPSTREAM_TOKEN: 'token-value-123',
      UPSTREAM_REMOTE_TOKEN: 'remote-token-value',
      UPSTREAM_HEADER_X_TEAM: 'literal-team-secret',
      WEATHER_SERVER_NAME: 'weather-name',
    };
    await withEmptyProxy(env, async (target) => {
      const applied = await importConfig(target, plainExport);
      expect(applied.status).toBe(200);
      expect([...applied.body.services, ...applied.body.groups].every((item: { change: string }) => item.change === 'created')).toBe(true);
      await expectSameAsSource(target);

      const again = await importConfig(target, plainExport).expect(200);
      expect(
        [...again.body.services, ...again.body.groups, ...again.body.settings].filter(
          (item: { change: string }) => item.change !== 'unchanged',
        ),
      ).toEqual([]);
    });
  }, 120_000);

  it('plain export → an empty proxy missing one referenced variable: 400 naming the field, and nothing of the file applied', async () => {
    // Every variable but the one a later service (upstream's header) refers to: the services before it must not be created either.
    const env = {
      EVERYTHING_UPSTREAM_TOKEN: 'token-value-123',
      UPSTREAM_REMOTE_TOKEN: 'remote-token-value',
      WEATHER_SERVER_NAME: 'weather-name',
    };
    await withEmptyProxy(env, async (target) => {
      const refused = await importConfig(target, plainExport);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toEqual(['upstream.remote.headers.X-Team refers to ${env:UPSTREAM_HEADER_X_TEAM}, which is not set']);
      expect((await target.api().get('/api/services').set('X-API-Key', target.env.apiKey).expect(200)).body).toEqual([]);
      expect((await target.api().get('/api/groups').set('X-API-Key', target.env.apiKey).expect(200)).body).toEqual([]);
    });
  }, 60_000);

  it('?secrets=true export through CONFIG_FILE on an empty proxy with nothing in its environment → the same, secrets included', async () => {
    const file = join(source.env.dir, 'exported.yaml');
    writeFileSync(file, secretExport);
    const target = await startApp({ ...gitEnv(), CONFIG_FILE: file });
    try {
      await target.app.get(ConfigFileWatcher).settled();
      await expectSameAsSource(target);
    } finally {
      await target.close();
    }
  }, 120_000);

  it('?secrets=true is for admins only, audited; a limited viewer and an anonymous client get none', async () => {
    expect(secretExport).toContain('token-value-123');
    expect(secretExport).toContain('literal-team-secret');
    const key = (): [string, string] => ['X-API-Key', source.env.apiKey];
    await source
      .api()
      .post('/api/users')
      .set(...key())
      .send({
        username: 'viewer-one',
        password: 'a-long-password-1',
        role: 'viewer',
        services: ['everything'],
      })
      .expect(201);
    const login = await source.api().post('/api/auth/login').send({ username: 'viewer-one', password: 'a-long-password-1' }).expect(201);
    const viewer = (): [string, string] => ['Authorization', `Bearer ${login.body.token}`];
    const refused = await source
      .api()
      .get('/api/config/export?secrets=true')
      .set(...viewer());
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('token-value-123');
    const limited = (
      await source
        .api()
        .get('/api/config/export')
        .set(...viewer())
        .expect(200)
    ).text;
    expect(parse(limited).services.map((service: { name: string }) => service.name)).toEqual(['everything']);
    await source.api().get('/api/config/export?secrets=true').expect(401);
    await source.api().get('/api/config/export').expect(401);
    const audit = await eventually(async () => {
      const list = (
        await source
          .api()
          .get('/api/audit?action=config.export.secrets')
          .set(...key())
          .expect(200)
      ).body.items as { action: string; outcome: string }[];
      if (!list.some((event) => event.action === 'config.export.secrets' && event.outcome === 'ok')) throw new Error('not audited yet');
      return list;
    });
    expect(audit.some((event) => event.outcome === 'refused')).toBe(true);
  });
});
