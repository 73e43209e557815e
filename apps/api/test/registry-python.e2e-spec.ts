import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RegistryServerPageView, ServiceView } from '@mcp-proxy/shared/dto';
import { entry } from '../src/registry/testing/sample-records';
import type { PythonInterpreter } from '../src/supervisor/runtimes/host-runtimes';
import { connectClient, textOf } from './support/mcp-clients';
import { hasCommand } from './support/prerequisites';
import { fixturePython, Wheelhouse } from './support/python-fixtures';
import { RegistryStandIn, startRegistryStandIn } from './support/registry-stand-in';
import { adminGet, eventually, RunningApp, startApp, waitForStatus } from './support/running-app';

const FIXTURE = 'io.github.example/mcp-fixture';

/**
 * A PyPI entry of the catalog installed and run for real, offline: the Python fixture server built into
 * wheels (1.0.0 and 1.1.0) in a local wheelhouse, the entry installed as `uvx mcp-fixture==<version>` (on a
 * host without uv the proxy's managed virtualenv stands in), then updated to 1.1.0 and rolled back, each
 * version answering its own `version` tool through the proxy.
 */
jest.setTimeout(240_000);

/** A PyPI record of the fixture, as the registry would list it. */
function fixtureRecord(version: string): Record<string, unknown> {
  return entry({
    name: FIXTURE,
    description: 'A stdlib-only MCP server over stdio',
    version,
    packages: [
      {
        registryType: 'pypi',
        registryBaseUrl: 'https://pypi.org',
        identifier: 'mcp-fixture',
        version,
        runtimeHint: 'uvx',
        transport: { type: 'stdio' },
        environmentVariables: [{ name: 'FIXTURE_TOKEN', description: 'Not used by the server', isRequired: true, isSecret: true }],
      },
    ],
  });
}

describe('a PyPI entry installed from the catalog (offline wheelhouse)', () => {
  let python: PythonInterpreter | null = null;
  let wheels: Wheelhouse;
  let registry: RegistryStandIn;
  let running: RunningApp;
  const clients: Client[] = [];

  /** The first start of a version installs it before the server answers: connect again until it does. */
  async function versionAnswered(expected: string): Promise<void> {
    await eventually(
      async () => {
        const client = await connectClient(running.baseUrl, 'mcp-fixture', running.env.apiKey, 'streamable');
        clients.push(client);
        expect(textOf(await client.callTool({ name: 'version', arguments: {} }))).toBe(expected);
      },
      120_000,
      500,
    );
  }

  beforeAll(async () => {
    const found = await fixturePython();
    if (found.missing) {
      console.warn(`skipped (the Python fixtures cannot be built: ${found.missing})`);
      return;
    }
    // With uv installed, uvx itself would run and need PyPI.
    if (hasCommand('uvx')) {
      console.warn('skipped (uv is installed: uvx would ask PyPI)');
      return;
    }
    python = found.python;
    wheels = Wheelhouse.create(found.python?.path ?? 'python3');
    wheels.build('1.1.0', '2');
    registry = await startRegistryStandIn();
    registry.publish(fixtureRecord('1.0.0'));
    running = await startApp({ REGISTRY_URL: registry.url, REGISTRY_CACHE_TTL_SEC: '0', PROCESS_STOP_GRACE_SEC: '2' });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
    await registry?.close();
    wheels?.close();
  });

  it('installs it as uvx <package>==<version>, runs it, updates it and rolls it back', async () => {
    if (!python) return;
    const page = await adminGet<RegistryServerPageView>(running, '/api/registry/servers?search=mcp-fixture');
    expect(page.servers[0].options[0]).toMatchObject({ kind: 'pypi', runtime: 'uvx', installable: true, reason: null });

    const installed = await running
      .api()
      .post('/api/registry/install')
      .set('X-API-Key', running.env.apiKey)
      .send({ server: FIXTURE, values: { 'env.FIXTURE_TOKEN': 'fixture-secret' } })
      .expect(201);
    expect((installed.body.service as ServiceView).process).toMatchObject({ command: 'uvx', args: ['mcp-fixture==1.0.0'] });
    // Where this host installs from: the wheelhouse, never PyPI.
    await running
      .api()
      .patch('/api/services/mcp-fixture')
      .set('X-API-Key', running.env.apiKey)
      .send({ environment: { FIXTURE_TOKEN: 'fixture-secret', ...wheels.env } })
      .expect(200);
    await running.api().post('/api/services/mcp-fixture/start').set('X-API-Key', running.env.apiKey).expect(200);
    await versionAnswered('1');

    registry.publish(fixtureRecord('1.1.0'));
    const updated = await running.api().post('/api/registry/installs/mcp-fixture/update').set('X-API-Key', running.env.apiKey).send({});
    expect(updated.status).toBe(200);
    expect((updated.body.service as ServiceView).process.args).toEqual(['mcp-fixture==1.1.0']);
    // The variables set by hand after the install stay.
    expect(Object.keys((updated.body.service as ServiceView).environment).sort()).toEqual([
      'FIXTURE_TOKEN',
      'PIP_FIND_LINKS',
      'PIP_NO_INDEX',
    ]);
    await versionAnswered('2');

    await running.api().post('/api/registry/installs/mcp-fixture/rollback').set('X-API-Key', running.env.apiKey).expect(200);
    await waitForStatus(running, 'mcp-fixture', 'running', 60_000);
    await versionAnswered('1');
  });
});
