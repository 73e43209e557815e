import type { RegistryInstallView, RegistryServerPageView, RegistryStatusView, ServiceView } from '@mcp-proxy/shared/dto';
import { entry, weatherServer } from '../src/registry/testing/sample-records';
import { createTemporaryDatabase } from './support/postgres';
import { startRegistryStandIn } from './support/registry-stand-in';
import { adminGet, RunningApp, startApp } from './support/running-app';

/**
 * The registry feature where the setup differs: no registry at all, a registry that serves only the
 * older /v0 API, and the install records on PostgreSQL.
 */
jest.setTimeout(60_000);

describe('without a registry', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ REGISTRY_URL: 'off' });
  });

  afterAll(async () => {
    await running?.close();
  });

  it('hides the catalog with a plain note; the rest of the API works', async () => {
    expect(await adminGet<RegistryStatusView>(running, '/api/registry')).toEqual({
      enabled: false,
      url: null,
      apiVersion: null,
      note: 'No MCP Registry is configured (REGISTRY_URL is off): add servers by hand, or set REGISTRY_URL.',
      mayInstall: true,
    });
    const servers = await running.api().get('/api/registry/servers').set('X-API-Key', running.env.apiKey);
    expect(servers.status).toBe(404);
    expect(await adminGet<RegistryInstallView[]>(running, '/api/registry/installs')).toEqual([]);
    await adminGet<ServiceView[]>(running, '/api/services');
  });
});

describe('a registry that serves the older /v0 API only', () => {
  it('is read through /v0', async () => {
    const registry = await startRegistryStandIn({ apiVersion: '/v0' });
    registry.publish(entry(weatherServer('0.5.0')));
    const running = await startApp({ REGISTRY_URL: registry.url });
    try {
      const page = await adminGet<RegistryServerPageView>(running, '/api/registry/servers');
      expect(page.servers.map((server) => server.name)).toEqual(['io.github.example/weather-mcp']);
      expect((await adminGet<RegistryStatusView>(running, '/api/registry')).apiVersion).toBe('/v0');
    } finally {
      await running.close();
      await registry.close();
    }
  });
});

describe('install records on PostgreSQL', () => {
  it('keep the current and the previous version through update and rollback', async () => {
    const database = await createTemporaryDatabase();
    const registry = await startRegistryStandIn();
    registry.publish(entry(weatherServer('0.5.0')));
    const running = await startApp({ REGISTRY_URL: registry.url, REGISTRY_CACHE_TTL_SEC: '0', DATABASE_URL: database.url });
    const post = (path: string, body: object) => running.api().post(path).set('X-API-Key', running.env.apiKey).send(body);
    try {
      await post('/api/registry/install', {
        server: 'io.github.example/weather-mcp',
        values: { 'env.WEATHER_API_KEY': 'pg-key', 'arg.package.1': 'Oslo', 'arg.package.0': 'fahrenheit' },
      }).expect(201);
      registry.publish(entry(weatherServer('0.6.0')));
      const updated = await post('/api/registry/installs/weather-mcp/update', {}).expect(200);
      // The values entered at install (not the secret, which stays in the environment) fill the new version's fields.
      expect((updated.body.service as ServiceView).process.args).toEqual(['weather-mcp-server==0.6.0', '--units', 'fahrenheit', 'Oslo']);
      await post('/api/registry/installs/weather-mcp/rollback', {}).expect(200);
      expect(await adminGet<RegistryInstallView[]>(running, '/api/registry/installs')).toEqual([
        expect.objectContaining({
          serviceName: 'weather-mcp',
          version: '0.5.0',
          previousVersion: '0.6.0',
          latestVersion: '0.6.0',
          updateAvailable: true,
        }),
      ]);
      expect((await adminGet<ServiceView>(running, '/api/services/weather-mcp')).process.args[0]).toBe('weather-mcp-server==0.5.0');
    } finally {
      await running.close();
      await registry.close();
      await database.drop();
    }
  });
});
