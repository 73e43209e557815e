import type {
  RegistryInstallView,
  RegistryServerPageView,
  RegistryServerView,
  RegistryStatusView,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  entry,
  everythingServer,
  imageServer,
  remoteServer,
  unsupportedServer,
  weatherServer,
} from '../src/registry/testing/sample-records';
import { connectClient, textOf } from './support/mcp-clients';
import { startRegistryStandIn, RegistryStandIn } from './support/registry-stand-in';
import { RemoteEverything, startRecordingFront, startRemoteEverything, RecordingFront } from './support/remote-mcp';
import { adminGet, eventually, RunningApp, startApp, waitForStatus } from './support/running-app';

const PASSWORD = 'correct horse battery staple';
const EVERYTHING = 'io.github.modelcontextprotocol/server-everything';
/** The version of server-everything in node_modules: npx finds it there without the npm registry. */
const LOCAL_PACKAGE_VERSION = '2026.8.31';
/** A directory inside this workspace, so npx resolves the package from its node_modules (offline). */
const WORKSPACE_DIR = join(__dirname, 'fixtures');

/**
 * The MCP Registry catalog against a local stand-in registry serving real-shaped server.json records:
 * paging and search, the install options (an image marked not installable without a container engine),
 * installing the npm reference server (run by npx, offline) and a remote with a secret header, the
 * variables form's rules, update to a newer version and rollback, and who may do what.
 */
jest.setTimeout(120_000);

describe('installing servers from an MCP Registry', () => {
  let registry: RegistryStandIn;
  let remote: RemoteEverything;
  let front: RecordingFront;
  let running: RunningApp;
  let viewer: string;
  let limitedViewer: string;
  let operator: string;
  let clientToken: string;

  const admin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function login(username: string, role: string, services?: string[]): Promise<string> {
    await running
      .api()
      .post('/api/users')
      .set(...admin())
      .send({ username, password: PASSWORD, role, ...(services ? { services } : {}) })
      .expect(201);
    return ((await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201)).body as { token: string })
      .token;
  }

  beforeAll(async () => {
    registry = await startRegistryStandIn();
    registry.publish(entry(everythingServer('1.0.0', LOCAL_PACKAGE_VERSION)));
    registry.publish(entry(weatherServer('0.5.0')));
    registry.publish(entry(imageServer()));
    registry.publish(entry(unsupportedServer()));
    for (let index = 0; index < 24; index++) {
      const number = String(index).padStart(2, '0');
      registry.publish(
        entry({
          name: `com.example/filler-${number}`,
          description: `Filler server number ${number}`,
          version: '1.0.0',
          packages: [{ registryType: 'npm', identifier: `@example/filler-${number}`, version: '1.0.0', transport: { type: 'stdio' } }],
        }),
      );
    }
    remote = await startRemoteEverything('streamableHttp', await freePort());
    front = await startRecordingFront(remote.port);
    registry.publish(entry(remoteServer(`${front.url}/mcp`)));
    running = await startApp({ REGISTRY_URL: `${registry.url}/`, REGISTRY_CACHE_TTL_SEC: '2', PROCESS_STOP_GRACE_SEC: '2' });
    viewer = await login('vera', 'viewer');
    operator = await login('otto', 'operator');
    clientToken = (
      (
        await running
          .api()
          .post('/api/client-tokens')
          .set(...admin())
          .send({ label: 'registry-test' })
          .expect(201)
      ).body as { token: string }
    ).token;
  }, 90_000);

  afterAll(async () => {
    await running?.close();
    await front?.close();
    await remote?.stop();
    await registry?.close();
  });

  it('pages through the whole catalog with the registry cursor, and searches it', async () => {
    const status = await adminGet<RegistryStatusView>(running, '/api/registry');
    expect(status).toEqual({ enabled: true, url: registry.url, apiVersion: null, note: null, mayInstall: true });
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = `/api/registry/servers?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: RegistryServerPageView = await adminGet<RegistryServerPageView>(running, query);
      expect(page.servers.length).toBeLessThanOrEqual(10);
      names.push(...page.servers.map((server) => server.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(names).toHaveLength(29);
    expect(new Set(names).size).toBe(29);
    expect((await adminGet<RegistryStatusView>(running, '/api/registry')).apiVersion).toBe('/v0.1');

    const found = await adminGet<RegistryServerPageView>(running, '/api/registry/servers?search=forecast');
    expect(found.servers.map((server) => server.name)).toEqual(['io.github.example/weather-mcp']);
    expect(found.servers[0].options[0]).toMatchObject({
      kind: 'pypi',
      runtime: 'uvx',
      pinned: true,
      installable: true,
      preview: "uvx weather-mcp-server==0.5.0 --units celsius '<city>'",
    });
  });

  it('reuses answers for REGISTRY_CACHE_TTL_SEC and asks again after', async () => {
    const before = registry.requests.length;
    await adminGet(running, '/api/registry/servers?search=filler-07');
    await adminGet(running, '/api/registry/servers?search=filler-07');
    expect(registry.requests.length).toBe(before + 1);
    await eventually(
      async () => {
        await adminGet(running, '/api/registry/servers?search=filler-07');
        expect(registry.requests.length).toBe(before + 2);
      },
      10_000,
      500,
    );
  });

  it('marks an image not installable when no container engine answers, with the reason; and says why other kinds are not', async () => {
    const image = (await adminGet<RegistryServerPageView>(running, '/api/registry/servers?search=image-tools')).servers[0];
    const engineHere = image.options[0].installable;
    if (!engineHere)
      expect(image.options[0].reason).toMatch(
        /^no container engine is reachable here: docker (not found on this host|is installed but its engine does not answer)/,
      );
    const dotnet = (await adminGet<RegistryServerPageView>(running, '/api/registry/servers?search=dotnet')).servers[0];
    expect(dotnet.options.map((option) => option.installable)).toEqual([false, false, false]);
    const install = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: 'io.github.example/dotnet-tools' });
    expect(install.status).toBe(409);
    expect(install.body.message).toContain('package:0: nuget packages cannot be run by this proxy');
  });

  it('refuses bad queries and bodies, naming the field', async () => {
    const unknown = await running
      .api()
      .get('/api/registry/servers?limit=5&sort=name')
      .set(...admin());
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toEqual(['sort: property sort should not exist']);
    expect(
      (
        await running
          .api()
          .get('/api/registry/servers?limit=500')
          .set(...admin())
      ).body.message,
    ).toEqual(['limit must not be greater than 100']);
    const body = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: 'not a name', values: { 'env.A': 1 }, extra: true });
    expect(body.status).toBe(400);
    expect(body.body.message).toEqual(
      expect.arrayContaining(['extra: property extra should not exist', 'server must be a registry name like io.github.owner/server']),
    );
    const missing = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: 'com.example/nothing-here' });
    expect(missing.status).toBe(404);
  });

  it('installs the npm server pinned, enforcing its required variable and keeping the secret masked; npx runs it', async () => {
    const withoutToken = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: EVERYTHING, name: 'everything' });
    expect(withoutToken.status).toBe(400);
    expect(withoutToken.body.message).toEqual(['values.env.EVERYTHING_TOKEN (EVERYTHING_TOKEN) is required']);
    const wrongChoice = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: EVERYTHING, name: 'everything', values: { 'env.EVERYTHING_TOKEN': 't', 'env.EVERYTHING_REGION': 'mars' } });
    expect(wrongChoice.body.message).toEqual(['values.env.EVERYTHING_REGION (EVERYTHING_REGION) must be one of eu, us']);

    const installed = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: EVERYTHING, name: 'everything', values: { 'env.EVERYTHING_TOKEN': 'token-never-shown-1234' } })
      .expect(201);
    const service = installed.body.service as ServiceView;
    expect(service.process).toMatchObject({
      command: 'npx',
      args: ['-y', `@modelcontextprotocol/server-everything@${LOCAL_PACKAGE_VERSION}`, 'stdio'],
    });
    expect(service.environment).toEqual({ EVERYTHING_TOKEN: '********', EVERYTHING_REGION: '********' });
    expect(JSON.stringify(installed.body)).not.toContain('token-never-shown-1234');
    expect(installed.body.install).toMatchObject({
      server: EVERYTHING,
      version: '1.0.0',
      option: 'package:0',
      kind: 'npm',
      previousVersion: null,
    });

    await running
      .api()
      .patch('/api/services/everything')
      .set(...admin())
      .send({ process: { cwd: WORKSPACE_DIR } })
      .expect(200);
    await running
      .api()
      .post('/api/services/everything/start')
      .set(...admin())
      .expect(200);
    await waitForStatus(running, 'everything', 'running', 60_000);
    await expectEcho('everything');

    const catalog = (await adminGet<RegistryServerPageView>(running, '/api/registry/servers?search=server-everything')).servers[0];
    expect(catalog.installedAs).toEqual([{ service: 'everything', version: '1.0.0' }]);
  });

  it('shows "update available" once the registry has a newer version; update keeps the old one, rollback restores it', async () => {
    const before = await installOf('everything');
    expect(before).toMatchObject({ version: '1.0.0', latestVersion: '1.0.0', updateAvailable: false });

    const next = everythingServer('1.1.0', LOCAL_PACKAGE_VERSION);
    const packages = next['packages'] as Record<string, unknown>[];
    packages[0]['runtimeArguments'] = [{ type: 'named', name: '--prefer-offline', format: 'boolean', default: 'true' }];
    registry.publish(entry(next, { publishedAt: '2026-02-01T10:00:00Z' }));
    await eventually(
      async () => expect(await installOf('everything')).toMatchObject({ latestVersion: '1.1.0', updateAvailable: true }),
      15_000,
      500,
    );

    // A viewer may not; an operator may, but not enter new values (they change the service's variables).
    expect(
      (
        await running
          .api()
          .post('/api/registry/installs/everything/update')
          .set(...bearer(viewer))
          .send({})
      ).status,
    ).toBe(403);
    const withValues = await running
      .api()
      .post('/api/registry/installs/everything/update')
      .set(...bearer(operator))
      .send({ values: { 'env.EVERYTHING_REGION': 'us' } });
    expect(withValues.status).toBe(403);
    const updated = await running
      .api()
      .post('/api/registry/installs/everything/update')
      .set(...bearer(operator))
      .send({})
      .expect(200);
    expect((updated.body.service as ServiceView).process.args).toEqual([
      '-y',
      '--prefer-offline',
      `@modelcontextprotocol/server-everything@${LOCAL_PACKAGE_VERSION}`,
      'stdio',
    ]);
    expect(updated.body.install).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0' });
    await waitForStatus(running, 'everything', 'running', 60_000);
    await expectEcho('everything');
    expect(await installOf('everything')).toMatchObject({ version: '1.1.0', updateAvailable: false });
    // The secret entered at install went along (read back from the sealed environment).
    expect(Object.keys((await adminGet<ServiceView>(running, '/api/services/everything')).environment)).toContain('EVERYTHING_TOKEN');
    expect(
      (
        await running
          .api()
          .post('/api/registry/installs/everything/update')
          .set(...admin())
          .send({})
      ).status,
    ).toBe(409);

    const rolledBack = await running
      .api()
      .post('/api/registry/installs/everything/rollback')
      .set(...bearer(operator))
      .expect(200);
    expect((rolledBack.body.service as ServiceView).process.args).toEqual([
      '-y',
      `@modelcontextprotocol/server-everything@${LOCAL_PACKAGE_VERSION}`,
      'stdio',
    ]);
    expect(rolledBack.body.install).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0' });
    await waitForStatus(running, 'everything', 'running', 60_000);
    await expectEcho('everything');
    expect(await installOf('everything')).toMatchObject({ version: '1.0.0', latestVersion: '1.1.0', updateAvailable: true });
  });

  it('installs a remote with its secret header sealed in the environment, and the remote receives it', async () => {
    const installed = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({
        server: 'com.example/hosted-tools',
        option: 'remote:0',
        name: 'hosted',
        values: { 'header.Authorization.token': 'tok-remote-5678' },
        start: true,
      })
      .expect(201);
    const service = installed.body.service as ServiceView;
    expect(service.transport).toBe('remote');
    expect(service.remote).toMatchObject({
      url: `${front.url}/mcp`,
      protocol: 'streamable-http',
      headers: { Authorization: 'Bearer ${MCP_HEADER_AUTHORIZATION_TOKEN}', 'X-Region': '********' },
    });
    expect(JSON.stringify(installed.body)).not.toContain('tok-remote-5678');
    await waitForStatus(running, 'hosted', 'running', 30_000);
    await expectEcho('hosted');
    expect(front.seen.some((seen) => seen.headers['authorization'] === 'Bearer tok-remote-5678' && seen.headers['x-region'] === 'eu')).toBe(
      true,
    );
    const rollback = await running
      .api()
      .post('/api/registry/installs/hosted/rollback')
      .set(...admin());
    expect(rollback.status).toBe(409);
  });

  it('installs the PyPI server as uvx <identifier>==<version> with its arguments (not started here)', async () => {
    const installed = await running
      .api()
      .post('/api/registry/install')
      .set(...admin())
      .send({ server: 'io.github.example/weather-mcp', values: { 'env.WEATHER_API_KEY': 'weather-key', 'arg.package.1': 'Berlin\nParis' } })
      .expect(201);
    expect((installed.body.service as ServiceView).name).toBe('weather-mcp');
    expect((installed.body.service as ServiceView).process).toMatchObject({
      command: 'uvx',
      args: ['weather-mcp-server==0.5.0', '--units', 'celsius', 'Berlin', 'Paris'],
    });
  });

  it('lets every role browse, only unlimited admins install, and shows a limited user only their installs', async () => {
    limitedViewer = await login('lina', 'viewer', ['hosted']);
    const limitedAdmin = await login('adam', 'admin', ['hosted']);
    expect(
      (
        await running
          .api()
          .get('/api/registry/servers?limit=1')
          .set(...bearer(viewer))
      ).status,
    ).toBe(200);
    expect(
      (
        await running
          .api()
          .get('/api/registry')
          .set(...bearer(viewer))
      ).body,
    ).toMatchObject({ enabled: true, mayInstall: false });
    const body = { server: EVERYTHING, name: 'another', values: { 'env.EVERYTHING_TOKEN': 'x' } };
    expect(
      (
        await running
          .api()
          .post('/api/registry/install')
          .set(...bearer(viewer))
          .send(body)
      ).status,
    ).toBe(403);
    expect(
      (
        await running
          .api()
          .post('/api/registry/install')
          .set(...bearer(operator))
          .send(body)
      ).status,
    ).toBe(403);
    const limited = await running
      .api()
      .post('/api/registry/install')
      .set(...bearer(limitedAdmin))
      .send(body);
    expect(limited.status).toBe(403);
    expect(limited.body.message).toBe('Installing creates a service: it needs the admin role without service limits');

    const mine = (
      await running
        .api()
        .get('/api/registry/installs')
        .set(...bearer(limitedViewer))
        .expect(200)
    ).body as RegistryInstallView[];
    expect(mine.map((install) => install.serviceName)).toEqual(['hosted']);
    const catalog = (
      await running
        .api()
        .get('/api/registry/servers?search=server-everything')
        .set(...bearer(limitedViewer))
        .expect(200)
    ).body as RegistryServerPageView;
    expect(catalog.servers[0].installedAs).toEqual([]);
    // A service outside the limits does not exist for them.
    expect(
      (
        await running
          .api()
          .post('/api/registry/installs/everything/rollback')
          .set(...bearer(limitedAdmin))
      ).status,
    ).toBe(404);

    expect((await running.api().get('/api/registry/servers')).status).toBe(401);
    expect((await running.api().post('/api/registry/install').send(body)).status).toBe(401);
    expect(
      (
        await running
          .api()
          .get('/api/registry/servers')
          .set(...bearer(clientToken))
      ).status,
    ).toBe(403);
    expect(
      (
        await running
          .api()
          .post('/api/registry/installs/everything/update')
          .set(...bearer(clientToken))
          .send({})
      ).status,
    ).toBe(403);
  });

  it('forgets the install with the service', async () => {
    await running
      .api()
      .delete('/api/services/weather-mcp')
      .set(...admin())
      .expect(204);
    await eventually(async () => {
      const installs = await adminGet<RegistryInstallView[]>(running, '/api/registry/installs');
      expect(installs.map((install) => install.serviceName).sort()).toEqual(['everything', 'hosted']);
    });
    const entryView = await adminGet<RegistryServerView>(running, `/api/registry/servers/${encodeURIComponent(EVERYTHING)}/versions/1.0.0`);
    expect(entryView).toMatchObject({ version: '1.0.0', isLatest: false });
  });

  async function installOf(service: string): Promise<RegistryInstallView | undefined> {
    return (await adminGet<RegistryInstallView[]>(running, '/api/registry/installs')).find((install) => install.serviceName === service);
  }

  async function expectEcho(service: string): Promise<void> {
    const client = await connectClient(running.baseUrl, service, running.env.apiKey, 'streamable');
    try {
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `via ${service}` } }))).toContain(`via ${service}`);
    } finally {
      await client.close();
    }
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
