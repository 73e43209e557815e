import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, RunningApp, startBuiltApi, waitForOk } from './support/built-app';
import { makeTestEnv, TestEnv } from './support/test-env';

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, server scenarios of the
 * "active" suite) against an MCP server the proxy supervises over stdio, reached through the built product.
 *
 * The suite runs through npx on Node 22 (it crashes on Node 20): the first run downloads it into the npm
 * cache (~10 s), later runs start in a couple of seconds; the whole suite takes 3–5 s on a direct server.
 */
const FIXTURES = join(__dirname, 'fixtures');
const FIXTURE_SERVER = join(FIXTURES, 'conformance-server.mjs');
const CHECK_SCRIPT = join(FIXTURES, 'check-fixture.mjs');
/** Scenarios in 0.1.16's active suite; fewer means the suite did not run them all. */
const ACTIVE_SCENARIOS = 30;
const SUITE_TIMEOUT_MS = 240_000;

/**
 * How the suite's requests carry the API key. The conformance CLI has no option for headers or credentials,
 * so `header` puts check-fixture.mjs's pass-through forwarder in front of the proxy, adding AUTH_HEADER to every
 * request; `query` appends `?token=<key>` to the endpoint URL instead.
 */
const AUTH_VIA: 'header' | 'query' = 'header';
const AUTH_HEADER = (key: string) => `Authorization: Bearer ${key}`;

interface ScenarioResult {
  name: string;
  passed: number;
  failed: number;
  warnings: string[];
  failures: string[];
}
interface SuiteReport {
  ok: boolean;
  seconds: number;
  scenarios: ScenarioResult[];
  error?: string;
}

/** Runs check-fixture.mjs with `--json` and returns its report. */
async function runConformance(args: string[]): Promise<SuiteReport> {
  const child = spawn(process.execPath, [CHECK_SCRIPT, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    return JSON.parse(stdout) as SuiteReport;
  } catch {
    throw new Error(`check-fixture.mjs exited ${code} without a report:\n${stderr.slice(-3000)}`);
  }
}

/** One line per failed scenario, naming it and its failed checks, so a failing assertion reads as a list. */
function failuresOf(report: SuiteReport): string[] {
  return report.scenarios.filter((s) => s.failed > 0).map((s) => `${s.name}: ${s.failures.join(' | ') || `${s.failed} failed`}`);
}

describe('MCP conformance fixture (served directly, no proxy)', () => {
  it(
    'passes every active server scenario of the conformance suite',
    async () => {
      const report = await runConformance([]);
      expect(report.error).toBeUndefined();
      expect(failuresOf(report)).toEqual([]);
      expect(report.scenarios).toHaveLength(ACTIVE_SCENARIOS);
    },
    SUITE_TIMEOUT_MS,
  );
});

describe('MCP conformance through the built proxy (fixture supervised over stdio)', () => {
  let env: TestEnv;
  let app: RunningApp;
  let origin: string;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { 'X-API-Key': env.apiKey, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    env = makeTestEnv();
    const [backend, frontend] = [await freePort(), await freePort()];
    origin = `http://127.0.0.1:${backend}`;
    app = startBuiltApi({ ...env.vars, BACKEND_PORT: String(backend), FRONTEND_PORT: String(frontend), HOST: '127.0.0.1' });
    await waitForOk(`${origin}/health`);

    const created = await api('/api/services', {
      method: 'POST',
      // The suite sends a few hundred requests in seconds: no per-client rate limit (the default is 100/min).
      body: JSON.stringify({
        name: 'conformance',
        process: { command: process.execPath, args: [FIXTURE_SERVER] },
        proxy: { rateLimit: 0 },
        start: true,
      }),
    });
    if (created.status !== 201) throw new Error(`POST /api/services answered ${created.status}: ${await created.text()}`);
    await waitForRunning('conformance', 30_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    env?.cleanup();
  });

  async function waitForRunning(service: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const response = await api(`/api/services/${service}`);
      last = await response.text();
      const status = response.ok ? (JSON.parse(last) as { status?: string }).status : undefined;
      if (status === 'running') return;
      if (status === 'failed' || status === 'crashed' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const logs = await api(`/api/services/${service}/logs?tail=50`).then((r) => r.text(), String);
    throw new Error(
      `service "${service}" is not running (waited up to ${timeoutMs} ms); last view: ${last}\n` +
        `service logs: ${logs.slice(-2000)}\napp output:\n${app.output().slice(-2000)}`,
    );
  }

  it(
    'passes every active server scenario of the conformance suite at /mcp/conformance',
    async () => {
      const endpoint = `${origin}/mcp/conformance`;
      const args =
        AUTH_VIA === 'header' ? ['--url', endpoint, '--header', AUTH_HEADER(env.apiKey)] : ['--url', `${endpoint}?token=${env.apiKey}`];
      const report = await runConformance(args);
      expect(report.error).toBeUndefined();
      expect(failuresOf(report)).toEqual([]);
      expect(report.scenarios).toHaveLength(ACTIVE_SCENARIOS);
    },
    SUITE_TIMEOUT_MS,
  );
});
