import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { HealthView } from '@mcp-proxy/shared/dto';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, RunningApp, startBuiltApi, waitForOk, WORKSPACE_ROOT } from './support/built-app';
import { connectClient, textOf } from './support/mcp-clients';
import { eventually } from './support/running-app';

const LIMITS_SERVER = join(__dirname, 'fixtures', 'limits-server.mjs');
const isRoot = process.getuid?.() === 0;
/** A throw-away uid with no passwd entry: the proxy runs as it, as a non-root install does. */
const PROXY_UID = 61_000 + (process.pid % 1000);

interface Install {
  dir: string;
  vars: Record<string, string>;
  apiKey: string;
  /** Every secret the proxy holds, whichever way it got it: none may show in anything a child reads. */
  secrets: Record<string, string>;
  app: RunningApp;
  baseUrl: string;
}

/**
 * A non-root install: its own data dir outside /tmp (bubblewrap gives children a private /tmp, which
 * would hide the files for the wrong reason), the API key from a file (`API_KEY_FILE`), the JWT secret
 * and a GitHub token in the environment, the encryption key generated into secrets.json.
 */
async function install(extra: Record<string, string> = {}, asRoot = false): Promise<Install> {
  const dir = mkdtempSync(join('/var/tmp', 'mcp-child-secrets-'));
  chmodSync(dir, 0o711);
  const secretsDir = join(dir, 'run-secrets');
  mkdirSync(secretsDir, { mode: 0o700 });
  const apiKey = `key_${randomBytes(20).toString('hex')}`;
  writeFileSync(join(secretsDir, 'api_key'), `${apiKey}\n`, { mode: 0o600 });
  const secrets = {
    API_KEY: apiKey,
    JWT_SECRET: `jwt_${randomBytes(24).toString('hex')}`,
    GITHUB_TOKEN: `ghp_${randomBytes(16).toString('hex')}`,
  };
  const [backend, frontend] = [await freePort(), await freePort()];
  const vars = {
    HOME: dir,
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: join(dir, 'data', 'proxy.db'),
    LOG_DIR: join(dir, 'logs'),
    CLONE_DIRECTORY: join(dir, 'clones'),
    ADMIN_DIST_DIR: '',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    BACKEND_PORT: String(backend),
    FRONTEND_PORT: String(frontend),
    API_KEY_FILE: join(secretsDir, 'api_key'),
    JWT_SECRET: secrets.JWT_SECRET,
    GITHUB_TOKEN: secrets.GITHUB_TOKEN,
    ...extra,
  };
  if (isRoot && !asRoot) {
    for (const path of [dir, secretsDir, join(secretsDir, 'api_key')]) chownSync(path, PROXY_UID, PROXY_UID);
  }
  const app = startBuiltApi(vars, WORKSPACE_ROOT, isRoot && !asRoot ? { uid: PROXY_UID, gid: PROXY_UID } : undefined);
  const baseUrl = `http://127.0.0.1:${backend}`;
  await waitForOk(`${baseUrl}/health`, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${app.output()}`);
  });
  return { dir, vars, apiKey, secrets, app, baseUrl };
}

async function register(proxy: Install, name: string): Promise<void> {
  const response = await fetch(`${proxy.baseUrl}/api/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': proxy.apiKey },
    body: JSON.stringify({
      name,
      process: { command: process.execPath, args: [LIMITS_SERVER] },
      proxy: { rateLimit: 0 },
      start: true,
    }),
  });
  if (response.status !== 201) throw new Error(`creating ${name}: ${response.status} ${await response.text()}\n${proxy.app.output()}`);
  await eventually(async () => {
    const view = (await (
      await fetch(`${proxy.baseUrl}/api/services/${name}`, {
        headers: { 'x-api-key': proxy.apiKey },
      })
    ).json()) as { status: string };
    if (view.status !== 'running') throw new Error(`${name} is ${view.status}\n${proxy.app.output()}`);
  }, 30_000);
}

async function health(proxy: Install): Promise<HealthView> {
  return (await (await fetch(`${proxy.baseUrl}/health`)).json()) as HealthView;
}

/** What each of the child's attempts answered (a type alias, so it is also a Record<string, string> for leaked()). */
type ChildView = {
  whoami: string;
  env: string;
  secretsJson: string;
  database: string;
  apiKeyFile: string;
  proxyEnviron: string;
  proxyCmdline: string;
  processes: string;
};

/** Everything a child tries to read to get at the proxy's keys: its environment, the files, the proxy's initial environment block. */
async function whatTheChildSees(proxy: Install, child: Client): Promise<ChildView> {
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<string> =>
    textOf(await child.callTool({ name, arguments: args }));
  const pid = String(proxy.app.child.pid);
  return {
    whoami: await call('whoami'),
    env: await call('get-env'),
    secretsJson: await call('read-file', {
      path: join(proxy.vars['DATA_DIR'], 'secrets.json'),
    }),
    database: await call('read-file', { path: proxy.vars['DATABASE_URL'] }),
    apiKeyFile: await call('read-file', { path: proxy.vars['API_KEY_FILE'] }),
    proxyEnviron: await call('read-file', { path: `/proc/${pid}/environ` }),
    proxyCmdline: await call('read-file', { path: `/proc/${pid}/cmdline` }),
    processes: await call('list-processes'),
  };
}

function leaked(seen: Record<string, string>, secrets: string[]): string[] {
  return Object.entries(seen).flatMap(([where, text]) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `${where}: ${secret.slice(0, 8)}…`),
  );
}

async function encryptionKey(proxy: Install): Promise<string> {
  // The proxy user's own view (the test reads as root or as that user): the generated key at rest.
  const { readFileSync } = await import('node:fs');
  return (JSON.parse(readFileSync(join(proxy.vars['DATA_DIR'], 'secrets.json'), 'utf8')) as { encryptionKey: string }).encryptionKey;
}

describe("children of a non-root proxy and the proxy's secrets", () => {
  const installs: Install[] = [];
  const clients: Client[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    for (const proxy of installs) {
      await proxy.app.stop();
      rmSync(proxy.dir, { recursive: true, force: true });
    }
  });

  it('by default (bubblewrap present) a child sees none of the keys, files or the proxy process, and /health says so', async () => {
    const proxy = await install();
    installs.push(proxy);
    await register(proxy, 'curious');
    const child = await connectClient(proxy.baseUrl, 'curious', proxy.apiKey, 'streamable');
    clients.push(child);

    const seen = await whatTheChildSees(proxy, child);
    expect(seen.whoami).toMatch(new RegExp(`^uid ${isRoot ? PROXY_UID : process.getuid?.()} `));
    expect(seen.secretsJson).toMatch(/^error E/);
    expect(seen.database).toMatch(/^error E/);
    expect(seen.apiKeyFile).toMatch(/^error E/);
    expect(seen.proxyEnviron).toMatch(/^error E/);
    expect(seen.processes.split(' ').map(Number)).not.toContain(proxy.app.child.pid);
    expect(leaked(seen, [...Object.values(proxy.secrets), await encryptionKey(proxy)])).toEqual([]);

    const view = await health(proxy);
    expect(view.children).toMatchObject({
      isolation: 'bubblewrap',
      proxySecretsProtected: true,
    });
    expect(proxy.app.output()).toMatch(/children run in bubblewrap/i);
  }, 120_000);

  it('where the host cannot isolate, /health, the log and the service say plainly that children can read the secrets', async () => {
    const proxy = await install({ SANDBOX_FILESYSTEM: 'none' });
    installs.push(proxy);
    await register(proxy, 'curious');
    const child = await connectClient(proxy.baseUrl, 'curious', proxy.apiKey, 'streamable');
    clients.push(child);

    // What /health must own up to, measured: same uid, same /proc, same files.
    const seen = await whatTheChildSees(proxy, child);
    expect(seen.proxyEnviron).toContain(proxy.secrets['JWT_SECRET']);
    expect(seen.secretsJson).toContain(await encryptionKey(proxy));

    const view = await health(proxy);
    expect(view.children).toMatchObject({
      isolation: 'none',
      proxySecretsProtected: false,
    });
    expect(view.children.summary).toMatch(/run with the proxy's own rights and can read its secrets/);
    expect(proxy.app.output()).toMatch(/run with the proxy's own rights and can read its secrets/);
    const service = (await (
      await fetch(`${proxy.baseUrl}/api/services/curious`, {
        headers: { 'x-api-key': proxy.apiKey },
      })
    ).json()) as { sandbox: { notApplied: string[] } };
    expect(service.sandbox.notApplied).toContain(
      "isolation: the server runs with the proxy's own rights and can read its secrets (no user of its own, no bubblewrap)",
    );
  }, 120_000);

  (isRoot ? it : it.skip)(
    'as root (the Docker image), each server has a user of its own and reads none of it either',
    async () => {
      const proxy = await install({}, true);
      installs.push(proxy);
      await register(proxy, 'curious');
      const child = await connectClient(proxy.baseUrl, 'curious', proxy.apiKey, 'streamable');
      clients.push(child);

      const seen = await whatTheChildSees(proxy, child);
      expect(seen.whoami).toMatch(/^uid [1-9]\d* /);
      expect(seen.secretsJson).toBe('error EACCES');
      expect(seen.database).toBe('error EACCES');
      expect(seen.apiKeyFile).toBe('error EACCES');
      expect(seen.proxyEnviron).toBe('error EACCES');
      expect(leaked(seen, [...Object.values(proxy.secrets), await encryptionKey(proxy)])).toEqual([]);
      expect((await health(proxy)).children).toMatchObject({
        isolation: 'own-users',
        proxySecretsProtected: true,
      });
    },
    120_000,
  );
});
