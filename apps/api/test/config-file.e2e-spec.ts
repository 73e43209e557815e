import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigFileWatcher } from '../src/config-file/config-file-watcher';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { importConfig, withoutRuntimeFacts } from './support/config-files';
import { eventually, registerService, startApp } from './support/running-app';
import { applyEnv } from './support/test-env';

const PROBE_SERVER = join(__dirname, 'fixtures', 'probe-server.mjs');
const CLI = join(__dirname, '..', '..', '..', 'tools', 'mcp-proxy.mjs');

/** Runs the CLI without blocking: the proxy it talks to lives in this very process. */
async function cli(args: string[], url: string, key: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', MCP_PROXY_URL: url, MCP_PROXY_KEY: key },
    });
    return { code: 0, stdout };
  } catch (error) {
    return { code: (error as { code?: number }).code ?? 1, stdout: (error as { stdout?: string }).stdout ?? '' };
  }
}

/** Configuration as code: export, import into an empty proxy, and a watched CONFIG_FILE. */
describe('configuration as code', () => {
  // Runtime facts differ between two proxies.
  const comparable = (views: object[]) => views.map(withoutRuntimeFacts);

  // A new proxy gives the services new ids: members are compared by service name.
  const withoutMemberIds = (groups: unknown[]) =>
    (groups as { members: { serviceId?: string }[] }[]).map((group) => ({
      ...group,
      members: group.members.map(({ serviceId: _id, ...member }) => member),
    }));

  it('export → a new, empty proxy → import gives the same services, groups and filters; secrets never written', async () => {
    const source = await startApp();
    let exported: string;
    let services: unknown;
    let groups: unknown;
    try {
      await registerService(source, {
        name: 'everything',
        process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
        environment: { UPSTREAM_TOKEN: 'token-value-123' },
      });
      await registerService(source, {
        name: 'probe',
        process: { command: process.execPath, args: [PROBE_SERVER], maxRestarts: 3 },
        proxy: { rateLimit: 50, toolResultTtlSec: 30 },
        start: false,
      });
      await source
        .api()
        .post('/api/groups')
        .set('X-API-Key', source.env.apiKey)
        .send({
          name: 'pair',
          members: [
            { service: 'everything', deny: ['get-env'] },
            { service: 'probe', renames: { whoami: { name: 'pid' } } },
          ],
          allow: ['*__*'],
        })
        .expect(201);

      const exportRun = await cli(['config', 'export'], source.baseUrl, source.env.apiKey);
      expect(exportRun.code).toBe(0);
      exported = exportRun.stdout;
      expect(exported).not.toContain('token-value-123');
      const document = parse(exported);
      expect(document.services.find((s: { name: string }) => s.name === 'everything').environment).toEqual({
        UPSTREAM_TOKEN: '${env:EVERYTHING_UPSTREAM_TOKEN}',
      });
      services = comparable((await source.api().get('/api/services').set('X-API-Key', source.env.apiKey)).body);
      groups = withoutMemberIds(comparable((await source.api().get('/api/groups').set('X-API-Key', source.env.apiKey)).body));
    } finally {
      await source.close();
    }

    const target = await startApp();
    const restoreEnv = applyEnv({ EVERYTHING_UPSTREAM_TOKEN: 'token-value-123' });
    try {
      const file = join(target.env.dir, 'proxy.yaml');
      writeFileSync(file, exported);
      const dry = await cli(['config', 'import', file, '--dry-run'], target.baseUrl, target.env.apiKey);
      expect(dry.stdout).toContain('service everything: created (dry run)');
      expect((await target.api().get('/api/services').set('X-API-Key', target.env.apiKey)).body).toEqual([]);

      const applied = await importConfig(target, exported).expect(200);
      expect(applied.body.services).toEqual([
        { name: 'everything', change: 'created' },
        { name: 'probe', change: 'created' },
      ]);
      expect(comparable((await target.api().get('/api/services').set('X-API-Key', target.env.apiKey)).body)).toEqual(services);
      expect(withoutMemberIds(comparable((await target.api().get('/api/groups').set('X-API-Key', target.env.apiKey)).body))).toEqual(
        groups,
      );

      const again = await importConfig(target, exported).expect(200);
      expect([...again.body.services, ...again.body.groups].map((item: { change: string }) => item.change)).toEqual([
        'unchanged',
        'unchanged',
        'unchanged',
      ]);
    } finally {
      restoreEnv();
      await target.close();
    }
  }, 60_000);

  it('refuses a bad file, naming the place, and changes nothing', async () => {
    const running = await startApp();
    try {
      const bad = 'services:\n  - name: Bad Name\n    process: { command: node }\n  - name: ok\n';
      const response = await importConfig(running, bad).expect(400);
      expect(response.body.message).toEqual([
        expect.stringMatching(/^services\[0\]\.name must be/),
        'services[1].repository or process.command is required',
      ]);
      const unreadable = await importConfig(running, 'services: [ {').expect(400);
      expect(unreadable.body.message[0]).toMatch(/not valid YAML/);
      expect((await running.api().get('/api/services').set('X-API-Key', running.env.apiKey)).body).toEqual([]);
    } finally {
      await running.close();
    }
  });

  it('CONFIG_FILE: applied at start; an edit adds a service without restarting the others', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
    const file = join(dir, 'proxy.yaml');
    const probe = `  - name: probe\n    process: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(PROBE_SERVER)}] }\n    start: true\n`;
    writeFileSync(file, `services:\n${probe}`);
    const running = await startApp({ CONFIG_FILE: file });
    try {
      const view = await eventually(async () => {
        const response = await running.api().get('/api/services/probe').set('X-API-Key', running.env.apiKey);
        if (response.body.status !== 'running') throw new Error(String(response.body.status));
        return response.body as { pid: number };
      });
      const second = `  - name: second\n    process: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(PROBE_SERVER)}] }\n    start: true\n`;
      writeFileSync(file, readFileSync(file, 'utf8') + second);
      await eventually(async () => {
        const response = await running.api().get('/api/services/second').set('X-API-Key', running.env.apiKey);
        if (response.body.status !== 'running') throw new Error(String(response.body.status));
      });
      await running.app.get(ConfigFileWatcher).settled();
      const after = await running.api().get('/api/services/probe').set('X-API-Key', running.env.apiKey);
      expect(after.body).toMatchObject({ status: 'running', pid: view.pid, restarts: 0 });
    } finally {
      await running.close();
    }
  }, 60_000);
});
