import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVER_TEMPLATES, serviceFromTemplate } from '@mcp-proxy/shared/dto';
import type { ClientConfigImportView, ServerTemplate, ServerTemplateView, ServiceView } from '@mcp-proxy/shared/dto';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { RecordingFront, RemoteEverything, startRecordingFront, startRemoteEverything } from './support/remote-mcp';
import { RunningApp, startApp, waitForStatus } from './support/running-app';

const PASSWORD = 'correct horse battery staple';
/** A directory inside the workspace, so npx finds server-everything in its node_modules (offline). */
const WORKSPACE_DIR = join(__dirname, 'fixtures');
const SECRET = 'input-secret-never-shown-7788';
const CLI = join(__dirname, '..', '..', '..', 'tools', 'mcp-proxy.mjs');
jest.setTimeout(120_000);

/**
 * A first server without reading docs: the template gallery's data and a template turned into a
 * working service, and a client's pasted configuration (Claude Desktop stdio, a remote, VS Code with
 * inputs) previewed with values masked and then created all at once and started, or refused whole.
 */
describe('templates and importing a client configuration', () => {
  let running: RunningApp;
  let remote: RemoteEverything;
  let front: RecordingFront;
  let limitedViewer = '';
  let clientToken = '';
  const clients: Client[] = [];
  const admin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const importConfig = (body: Record<string, unknown>, auth: [string, string] = admin()) =>
    running
      .api()
      .post('/api/services/import-client-config')
      .set(...auth)
      .send(body);

  async function echo(service: string, message: string): Promise<string> {
    const client = await connectClient(running.baseUrl, service, running.env.apiKey, 'streamable');
    clients.push(client);
    return textOf(await client.callTool({ name: 'echo', arguments: { message } }));
  }

  beforeAll(async () => {
    running = await startApp();
    remote = await startRemoteEverything('streamableHttp', await freePort());
    front = await startRecordingFront(remote.port);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await front?.close();
    await remote?.stop();
    await running?.close();
  }, 30_000);

  it('lists the templates, each with its command and a field per variable', async () => {
    const templates = (
      await running
        .api()
        .get('/api/templates')
        .set(...admin())
        .expect(200)
    ).body as ServerTemplateView[];
    expect(templates.map((template) => template.id)).toEqual(
      expect.arrayContaining(['everything', 'filesystem', 'memory', 'fetch', 'git', 'sequential-thinking', 'time']),
    );
    expect(templates.find((template) => template.id === 'everything')).toMatchObject({ available: true, unavailableReason: null });
    for (const template of templates) expect(template.available).toBe(template.unavailableReason === null);
    const git = templates.find((template) => template.id === 'git');
    expect(git).toMatchObject({ runtime: 'uvx', command: 'uvx', package: 'mcp-server-git' });
    expect(git?.variables).toEqual([expect.objectContaining({ key: 'repository', required: true })]);
  });

  it('creates a service from a template, started, answering a tool call', async () => {
    const template = SERVER_TEMPLATES.find((item) => item.id === 'everything') as ServerTemplate;
    const body = serviceFromTemplate(template, { name: 'from-template', values: {}, start: true, cwd: WORKSPACE_DIR });
    const created = (
      await running
        .api()
        .post('/api/services')
        .set(...admin())
        .send(body)
        .expect(201)
    ).body as ServiceView;
    expect(created.process).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'] });
    await waitForStatus(running, 'from-template', 'running', 90_000);
    expect(await echo('from-template', 'template')).toBe('Echo: template');
  });

  it('previews a Claude Desktop file (stdio and remote) with values masked, then creates and starts both', async () => {
    const config = {
      mcpServers: {
        'Local Everything': { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], env: { EVERYTHING_TOKEN: SECRET } },
        'remote-everything': { url: `${front.url}/mcp`, headers: { 'X-Team': SECRET } },
      },
    };
    const preview = (await importConfig({ config, dryRun: true }).expect(200)).body as ClientConfigImportView;
    expect(preview).toMatchObject({ dryRun: true, format: 'mcpServers', ready: true, variables: [] });
    expect(preview.entries).toEqual([
      expect.objectContaining({
        key: 'Local Everything',
        name: 'local-everything',
        transport: 'stdio',
        command: process.execPath,
        environment: { EVERYTHING_TOKEN: '********' },
        problems: [],
      }),
      expect.objectContaining({
        name: 'remote-everything',
        transport: 'remote',
        url: `${front.url}/mcp`,
        headers: { 'X-Team': '********' },
      }),
    ]);
    expect(JSON.stringify(preview)).not.toContain(SECRET);
    const services = (
      await running
        .api()
        .get('/api/services')
        .set(...admin())
        .expect(200)
    ).body as ServiceView[];
    expect(services.map((service) => service.name)).not.toContain('local-everything');

    const done = (await importConfig({ config }).expect(200)).body as ClientConfigImportView;
    expect(done.entries.map((entry) => entry.service?.name)).toEqual(['local-everything', 'remote-everything']);
    expect(JSON.stringify(done)).not.toContain(SECRET);
    await waitForStatus(running, 'local-everything', 'running', 60_000);
    await waitForStatus(running, 'remote-everything', 'running', 60_000);
    expect(await echo('local-everything', 'stdio')).toBe('Echo: stdio');
    expect(await echo('remote-everything', 'remote')).toBe('Echo: remote');
    expect(front.seen.some((seen) => seen.headers['x-team'] === SECRET)).toBe(true);
  });

  it('asks for VS Code inputs, then fills them into the headers (text with comments)', async () => {
    const config = `{
      // .vscode/mcp.json
      "inputs": [{ "type": "promptString", "id": "team-key", "description": "Team key", "password": true }],
      "servers": {
        "vscode-remote": { "type": "http", "url": "${front.url}/mcp", "headers": { "X-Key": "\${input:team-key}" } },
      },
    }`;
    const preview = (await importConfig({ config, dryRun: true }).expect(200)).body as ClientConfigImportView;
    expect(preview).toMatchObject({ format: 'servers', ready: false });
    expect(preview.variables).toEqual([{ id: 'team-key', description: 'Team key', secret: true, provided: false }]);
    expect(preview.entries[0]).toMatchObject({ name: 'vscode-remote', variables: ['team-key'], headers: { 'X-Key': '********' } });

    const missing = await importConfig({ config });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toEqual(['values.team-key is required']);

    const done = (await importConfig({ config, values: { 'team-key': `${SECRET}-vs` } }).expect(200)).body as ClientConfigImportView;
    expect(JSON.stringify(done)).not.toContain(SECRET);
    await waitForStatus(running, 'vscode-remote', 'running', 60_000);
    expect(await echo('vscode-remote', 'vscode')).toBe('Echo: vscode');
    expect(front.seen.some((seen) => seen.headers['x-key'] === `${SECRET}-vs`)).toBe(true);
  });

  it('reports a name clash per entry and creates nothing (all or nothing)', async () => {
    const config = {
      mcpServers: {
        fresh: { command: process.execPath, args: [EVERYTHING_SERVER] },
        'local-everything': { command: process.execPath, args: [EVERYTHING_SERVER] },
      },
    };
    const preview = (await importConfig({ config, dryRun: true }).expect(200)).body as ClientConfigImportView;
    expect(preview.ready).toBe(false);
    expect(preview.entries.map((entry) => entry.problems)).toEqual([[], ['a service named "local-everything" already exists']]);
    const refused = await importConfig({ config, start: false });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toEqual(['config.mcpServers.local-everything: a service named "local-everything" already exists']);
    await running
      .api()
      .get('/api/services/fresh')
      .set(...admin())
      .expect(404);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'config must be'],
      [{ config: '{ not json' }, 'config is not valid JSON'],
      [{ config: { mcpServers: { x: { args: [] } } } }, 'config.mcpServers.x needs a "command"'],
      [{ config: { mcpServers: { x: { command: 'a' } } }, extra: 1 }, 'property extra should not exist'],
      [{ config: { mcpServers: { x: { command: 'a' } } }, dryRun: 'yes' }, 'dryRun must be a boolean'],
      [{ config: { mcpServers: { x: { command: 'a' } } }, values: { k: 1 } }, 'values must be an object'],
    ];
    for (const [body, message] of cases) {
      const response = await importConfig(body);
      expect(response.status).toBe(400);
      expect((response.body.message as string[]).join('\n')).toContain(message);
    }
    const insecure = await importConfig({ config: { mcpServers: { far: { url: 'http://example.com/mcp' } } }, dryRun: true }).expect(200);
    expect(insecure.body.entries[0].problems.join()).toContain('remote.url must be https://');
  });

  it('imports from the CLI too: a dry run lists what is needed, --value fills it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-config-'));
    const file = join(dir, 'mcp.json');
    writeFileSync(
      file,
      JSON.stringify({
        inputs: [{ id: 'key', description: 'Key', password: true }],
        servers: { 'cli-remote': { type: 'http', url: `${front.url}/mcp`, headers: { 'X-Key': '${input:key}' } } },
      }),
    );
    const run = async (args: string[]): Promise<{ code: number; stdout: string }> => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'import-client-config', file, ...args], {
          env: { PATH: process.env['PATH'] ?? '', MCP_PROXY_URL: running.baseUrl, MCP_PROXY_KEY: running.env.apiKey },
        });
        return { code: 0, stdout };
      } catch (error) {
        return { code: (error as { code?: number }).code ?? 1, stdout: (error as { stdout?: string }).stdout ?? '' };
      }
    };
    try {
      const dry = await run(['--dry-run']);
      expect(dry.code).toBe(1);
      expect(dry.stdout).toContain(`cli-remote (cli-remote): ${front.url}/mcp — ready`);
      expect(dry.stdout).toContain('needs --value key=… (Key)');
      const done = await run(['--value', 'key=cli-secret']);
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/cli-remote \(cli-remote\): .* — created \((starting|running)\)/);
      expect(done.stdout).not.toContain('cli-secret');
      await waitForStatus(running, 'cli-remote', 'running', 60_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is closed to a limited viewer, a client token and anonymous callers', async () => {
    await running
      .api()
      .post('/api/users')
      .set(...admin())
      .send({ username: 'limited', password: PASSWORD, role: 'viewer', services: ['local-everything'] })
      .expect(201);
    limitedViewer = (
      (await running.api().post('/api/auth/login').send({ username: 'limited', password: PASSWORD }).expect(201)).body as { token: string }
    ).token;
    clientToken = (
      (
        await running
          .api()
          .post('/api/client-tokens')
          .set(...admin())
          .send({ label: 'limited', services: ['local-everything'] })
          .expect(201)
      ).body as { token: string }
    ).token;
    const config = { mcpServers: { sneaky: { command: process.execPath, args: [EVERYTHING_SERVER] } } };
    expect((await importConfig({ config, dryRun: true }, ['Authorization', `Bearer ${limitedViewer}`])).status).toBe(403);
    expect((await importConfig({ config, dryRun: true }, ['Authorization', `Bearer ${clientToken}`])).status).toBe(403);
    expect((await running.api().post('/api/services/import-client-config').send({ config, dryRun: true })).status).toBe(401);
    expect((await running.api().get('/api/templates').set('Authorization', `Bearer ${limitedViewer}`)).status).toBe(200);
    expect((await running.api().get('/api/templates').set('Authorization', `Bearer ${clientToken}`)).status).toBe(403);
    expect((await running.api().get('/api/templates')).status).toBe(401);
    await running
      .api()
      .get('/api/services/sneaky')
      .set(...admin())
      .expect(404);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
