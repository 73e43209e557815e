import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startBuiltApi, waitForOk } from './support/built-app';
import { itWithCommands } from './support/prerequisites';
import { makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const TOOLS = ['sh', 'prlimit', 'setpriv'];
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipped (not root): the start-up log as root, where MCP servers get users of their own');
const asRoot = isRoot ? itWithCommands(TOOLS, 'the start-up log of a host with every sandbox tool but bwrap') : it.skip;

interface LogLine {
  level: string;
  msg: string;
  isolation?: string;
}

/**
 * The start-up log speaks about host capabilities only where the configuration asks for them, and says
 * once what isolation the children get. The host "without bwrap" is a PATH holding every tool the
 * sandbox uses but bwrap (the proxy looks its tools up on PATH).
 */
describe('start-up warnings about the host (built bundle, as root)', () => {
  let env: TestEnv;
  let bin = '';

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'mcp-proxy-path-'));
    for (const tool of TOOLS) {
      const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], {
        encoding: 'utf8',
      }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  beforeEach(() => (env = makeTestEnv()));
  afterEach(() => env.cleanup());

  async function startUpLog(extra: Record<string, string>): Promise<LogLine[]> {
    const port = await freePort();
    const app = startBuiltApi({
      ...env.vars,
      LOG_LEVEL: 'info',
      PATH: bin,
      BACKEND_PORT: String(port),
      FRONTEND_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      ...extra,
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, 30_000);
    } finally {
      await app.stop();
    }
    return app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  asRoot('default settings without bwrap: no bwrap warning, exactly one line about isolation', async () => {
    const lines = await startUpLog({});
    expect(lines.filter((line) => /bwrap|bubblewrap/i.test(line.msg))).toEqual([]);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
    const isolation = lines.filter((line) => line.isolation !== undefined);
    expect(isolation).toEqual([
      expect.objectContaining({
        level: 'info',
        isolation: 'own-users',
        msg: expect.stringMatching(/users of their own/),
      }),
    ]);
  });

  asRoot('SANDBOX_FILESYSTEM=bubblewrap without bwrap: a warning naming the setting and bwrap', async () => {
    const lines = await startUpLog({ SANDBOX_FILESYSTEM: 'bubblewrap' });
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: expect.stringMatching(/SANDBOX_FILESYSTEM=bubblewrap, but bwrap not found/),
      }),
    ]);
    expect(lines.filter((line) => line.isolation !== undefined)).toHaveLength(1);
  });
});
