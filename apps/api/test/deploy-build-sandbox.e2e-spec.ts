import type { DeployAcceptedView, DeploymentView, ServiceLogsView } from '@mcp-proxy/shared/dto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { finished } from './support/deployments';
import { FixtureRepo, GitFixtures } from './support/git-fixtures';
import { adminGet, eventually, RunningApp, startApp } from './support/running-app';

const isRoot = process.getuid?.() === 0;

/** The proxy's own secrets set in its environment; the JWT secret and encryption key it keeps in DATA_DIR/secrets.json. */
const PROXY = {
  GITHUB_TOKEN: 'ghp_buildSandboxToken0123456789abc',
  GITHUB_WEBHOOK_SECRET: 'proxy-webhook-secret-0123456789',
  OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer otlp-collector-credential-0123',
};

/** What a build step tried to read, and what it got (`seen`) or the error code it got (`refused`). */
type Attempt = { seen: unknown } | { refused: string };
interface Seen {
  uid: number;
  env: string[];
  secrets: Attempt;
  dataDir: Attempt;
  proxyEnviron: Attempt;
  otherClone: Attempt;
}

/** A build script that snoops on the proxy and writes down what it saw, in the build directory. */
function snoopScript(dataDir: string, proxyPid: number, otherClone: string): string {
  return `import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const attempt = (read) => { try { return { seen: read() }; } catch (error) { return { refused: error.code ?? String(error) }; } };
const seen = {
  uid: process.getuid(),
  env: Object.keys(process.env),
  secrets: attempt(() => readFileSync(${JSON.stringify(join(dataDir, 'secrets.json'))}, 'utf8')),
  dataDir: attempt(() => { const names = readdirSync(${JSON.stringify(dataDir)}); if (names.length === 0) throw Object.assign(new Error('empty'), { code: 'EMPTY' }); return names; }),
  proxyEnviron: attempt(() => readFileSync('/proc/${proxyPid}/environ', 'utf8')),
  otherClone: attempt(() => readdirSync(${JSON.stringify(otherClone)})),
};
writeFileSync('seen.json', JSON.stringify(seen));
console.log('snooped as uid ' + seen.uid);
`;
}

function packageJson(build: string): string {
  return JSON.stringify({
    name: 'snoop',
    version: '1.0.0',
    private: true,
    type: 'module',
    scripts: { build },
  });
}

/**
 * The install and build steps of a deployed repository are third-party code: they run in the same
 * sandbox as the service's server (its own user, optionally bubblewrap), never as the proxy with
 * its keys; where the host cannot confine them, the deployment says so. Whatever a build prints,
 * the proxy's own secrets never reach a stored or streamed log.
 */
jest.setTimeout(90_000);

describe('deploy builds: sandboxed, and the proxy secrets masked', () => {
  let git: GitFixtures;
  let running: RunningApp;
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];

  const deployment = (id: string) => adminGet<DeploymentView>(running, `/api/deployments/${id}`);

  async function deployed(body: Record<string, unknown>): Promise<DeploymentView> {
    const response = await running
      .api()
      .post('/api/github/deploy')
      .set(...asAdmin())
      .send(body);
    expect(response.status).toBe(202);
    return finished(deployment, (response.body as DeployAcceptedView).deploymentId, 60_000);
  }

  /** Every secret value of the proxy: from its environment, and those it generated into secrets.json. */
  function proxySecrets(): string[] {
    const stored = JSON.parse(readFileSync(join(running.env.vars['DATA_DIR'], 'secrets.json'), 'utf8')) as {
      jwtSecret: string;
      encryptionKey: string;
    };
    return [
      running.env.apiKey,
      PROXY.GITHUB_TOKEN,
      PROXY.GITHUB_WEBHOOK_SECRET,
      'Bearer otlp-collector-credential-0123',
      stored.jwtSecret,
      stored.encryptionKey,
    ];
  }

  function seenBy(done: DeploymentView, service: string): Seen {
    return JSON.parse(readFileSync(join(running.env.vars['CLONE_DIRECTORY'], service, done.commit ?? 'none', 'seen.json'), 'utf8')) as Seen;
  }

  beforeAll(async () => {
    git = await GitFixtures.start(PROXY.GITHUB_TOKEN);
    running = await startApp({
      ...PROXY,
      GITHUB_HOST: git.host,
      GITHUB_API_URL: git.api.url,
      PROCESS_STOP_GRACE_SEC: '2',
      SANDBOX_UID_BASE: String(400_000 + (process.pid % 1000) * 100),
    });
    // Another deployed service, whose clone the snooping build must not see.
    const neighbour = git.repo('acme/neighbour', 'mcp-json');
    expect((await deployed({ repositoryUrl: neighbour.url })).status).toBe('succeeded');
  }, 90_000);

  afterAll(async () => {
    await running?.close();
    await git?.close();
  });

  (isRoot ? describe : describe.skip)('as root', () => {
    let snoop: FixtureRepo;

    function commitSnoop(version: string): void {
      const script = snoopScript(running.env.vars['DATA_DIR'], process.pid, join(running.env.vars['CLONE_DIRECTORY'], 'neighbour'));
      snoop.commit({
        'package.json': packageJson('node snoop.mjs'),
        'snoop.mjs': script,
        VERSION: `${version}\n`,
      });
    }

    beforeAll(() => {
      snoop = git.repo('acme/snoop', 'mcp-json');
      commitSnoop('1');
    });

    it("a build runs as the service's own user: no secrets.json, no data dir, no proxy environment, no other clone", async () => {
      const done = await deployed({ repositoryUrl: snoop.url });
      expect(done.error).toBeNull();
      expect(done.status).toBe('succeeded');
      const seen = seenBy(done, 'snoop');
      expect(seen.uid).not.toBe(0);
      expect(seen.secrets).toEqual({ refused: 'EACCES' });
      expect(seen.dataDir).toEqual({ refused: 'EACCES' });
      expect(seen.proxyEnviron).toEqual({ refused: 'EACCES' });
      expect(seen.otherClone).toEqual({ refused: 'EACCES' });
      for (const key of [...Object.keys(PROXY), 'API_KEY', 'JWT_SECRET', 'DATA_DIR', 'DATABASE_URL']) expect(seen.env).not.toContain(key);
      expect(done.buildSandbox).toMatchObject({
        isolated: true,
        applied: expect.arrayContaining([expect.stringMatching(/^user mcp-\d+ \(uid \d+\)/)]),
      });
      expect(done.log).toMatch(/==> install and build run in the service's sandbox: user mcp-\d+/);
    });

    it('with bubblewrap, the proxy files and processes are not even there', async () => {
      await running
        .api()
        .patch('/api/services/snoop')
        .set(...asAdmin())
        .send({ process: { sandbox: { filesystem: 'bubblewrap' } } })
        .expect(200);
      commitSnoop('2');
      const done = await deployed({ repositoryUrl: snoop.url });
      expect(done.status).toBe('succeeded');
      const seen = seenBy(done, 'snoop');
      expect(seen.secrets).toEqual({ refused: 'ENOENT' });
      expect(seen.dataDir).toEqual({ refused: 'EMPTY' });
      expect(seen.proxyEnviron).toEqual({ refused: 'ENOENT' });
      expect(seen.otherClone).toEqual({ refused: 'ENOENT' });
      expect(done.buildSandbox?.applied).toEqual(expect.arrayContaining([expect.stringContaining('bubblewrap')]));
    });

    it('where the service may not be sandboxed, the deployment says plainly that the build ran with the proxy rights', async () => {
      await running
        .api()
        .patch('/api/services/snoop')
        .set(...asAdmin())
        .send({ process: { sandbox: { user: 'none', filesystem: 'none' } } })
        .expect(200);
      commitSnoop('3');
      const done = await deployed({ repositoryUrl: snoop.url });
      expect(done.status).toBe('succeeded');
      expect(done.buildSandbox).toMatchObject({ isolated: false });
      expect(done.log).toContain("==> NOT SANDBOXED: install and build run with the proxy's own user and can read its keys and data");
    });
  });

  it('a manifest that links out of the repository is refused, and what it points at is never read as the proxy', async () => {
    const sly = git.repo('acme/sly', 'mcp-json');
    // Read by the proxy itself, its environment would reach the log through the JSON parse error.
    sly.commit({ 'mcp.json': { linkTo: '/proc/self/environ' } });
    const done = await deployed({ repositoryUrl: sly.url });
    expect(done.status).toBe('failed');
    expect(done.error).toBe('mcp.json is a link to outside the repository: not read');
    expect(done.log).not.toMatch(/not valid JSON/);
  });

  it('the proxy secrets a build or a server prints are masked in the deploy log, its error, the live channel and the service log', async () => {
    const loud = git.repo('acme/loud', 'mcp-json');
    const values = proxySecrets();
    const shout = `console.log(${JSON.stringify(values.map((value, index) => `secret ${index}: ${value}`).join('\n'))}); process.exit(1);\n`;
    loud.commit({
      'package.json': packageJson('node shout.mjs'),
      'shout.mjs': shout,
    });

    const socket = new WebSocket(`${running.baseUrl.replace(/^http/, 'ws')}/ws?token=${running.env.apiKey}`);
    const lines: string[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        lines?: string[];
      };
      if (message.type === 'deploy-log' && message.lines) lines.push(...message.lines);
    });
    await new Promise((resolve, reject) => socket.once('message', resolve).once('error', reject));
    try {
      const response = await running
        .api()
        .post('/api/github/deploy')
        .set(...asAdmin())
        .send({ repositoryUrl: loud.url });
      const { deploymentId } = response.body as DeployAcceptedView;
      socket.send(
        JSON.stringify({
          type: 'subscribe',
          channel: `deploy:${deploymentId}`,
        }),
      );
      const done = await finished(deployment, deploymentId, 60_000);
      expect(done.status).toBe('failed');
      expect(done.log).toContain('secret 0: ********');
      await eventually(async () => expect(lines.join('\n')).toContain('secret 5: ********'), 10_000);
      for (const value of values) {
        expect(done.log).not.toContain(value);
        expect(done.error).not.toContain(value);
        expect(lines.join('\n')).not.toContain(value);
      }
    } finally {
      socket.close();
    }

    // A server that prints the JWT secret (here: its VERSION) on start.
    const jwtSecret = values[4];
    loud.commit({
      'package.json': packageJson('node -e 0'),
      VERSION: `v-${jwtSecret}\n`,
    });
    expect((await deployed({ repositoryUrl: loud.url })).status).toBe('succeeded');
    const logs = (
      await running
        .api()
        .get('/api/services/loud/logs')
        .set(...asAdmin())
        .expect(200)
    ).body as ServiceLogsView;
    const text = logs.lines.map((line) => line.text).join('\n');
    expect(text).toContain('v-******** listening on stdio');
    expect(text).not.toContain(jwtSecret);
  });
});
