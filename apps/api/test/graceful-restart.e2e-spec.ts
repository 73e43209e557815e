import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { freePort, RunningApp, startBuiltApi, waitForOk } from './support/built-app';
import { api, keepCalling, successesAfter } from './support/keep-calling';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { eventually } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(120_000);

/**
 * The built proxy gets SIGTERM while a client keeps calling through it, and is started again on the
 * same data: every call accepted before the signal is answered, the client keeps its Mcp-Session-Id
 * without initializing again, and stream clients are told to reconnect.
 */
describe('graceful restart of one instance (built bundle, SIGTERM)', () => {
  let env: TestEnv;
  let app: RunningApp | null = null;
  let baseUrl = '';
  let vars: Record<string, string> = {};

  async function start(): Promise<RunningApp> {
    const started = startBuiltApi(vars);
    await waitForOk(`${baseUrl}/health`, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${started.output()}`);
    });
    return started;
  }

  beforeAll(async () => {
    env = makeTestEnv();
    const [backend, frontend] = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${backend}`;
    vars = { ...env.vars, BACKEND_PORT: String(backend), FRONTEND_PORT: String(frontend), HOST: '127.0.0.1', SHUTDOWN_GRACE_SEC: '15' };
    app = await start();
    await api(baseUrl, env.apiKey, 'POST', '/api/services', {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER] },
      proxy: { rateLimit: 0 },
      start: true,
    });
    await eventually(async () => {
      const view = await api<{ status: string }>(baseUrl, env.apiKey, 'GET', '/api/services/everything');
      if (view.status !== 'running') throw new Error(view.status);
    }, 30_000);
  });

  afterAll(async () => {
    await app?.stop();
    env.cleanup();
  });

  it('answers the calls accepted before SIGTERM, tells streams to reconnect, and the session survives the restart', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/everything`), {
      requestInit: { headers: { Authorization: `Bearer ${env.apiKey}` } },
    });
    const client = new Client({ name: 'restart-e2e', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toBeTruthy();

    // A WebSocket client and a legacy SSE stream, to see how they are told to reconnect.
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/mcp/ws?service=everything&token=${env.apiKey}`, 'mcp');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const legacy = await fetch(`${baseUrl}/mcp/everything/sse`, {
      headers: { Authorization: `Bearer ${env.apiKey}`, accept: 'text/event-stream' },
    });
    const legacyText = legacy.text();

    const caller = keepCalling(client);
    await successesAfter(caller.records, 0, 5, 20_000);

    // A slow call that is surely accepted (its first progress came) when the signal goes.
    let progressed: () => void = () => undefined;
    const firstProgress = new Promise<void>((resolve) => (progressed = resolve));
    const slow = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 3, steps: 3 } }, undefined, {
      timeout: 30_000,
      onprogress: () => progressed(),
    });
    await firstProgress;

    const firstPid = app?.child.pid;
    const signalledAt = Date.now();
    process.kill(firstPid as number, 'SIGTERM');

    // The slow call finishes although the proxy is stopping; the restart waits for it.
    expect(textOf(await slow)).toMatch(/completed/i);
    expect(await app?.exited).toBe(0);
    expect(await wsClosed).toBe(1012);
    expect(await legacyText).toMatch(/^retry: \d+$/m);

    app = await start();
    expect(app.child.pid).not.toBe(firstPid);
    const restartedAt = Date.now();
    await successesAfter(caller.records, restartedAt, 10, 30_000);
    await caller.stop();

    // Nothing that started before the signal failed; the session is the one we initialized.
    const failedBefore = caller.records.filter((record) => !record.ok && record.startedAt < signalledAt);
    expect(failedBefore).toEqual([]);
    expect(transport.sessionId).toBe(sessionId);
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('echo');
    await client.close();
  });

  it('forgets a session that was deleted: after a restart its id is unknown', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/everything`), {
      requestInit: { headers: { Authorization: `Bearer ${env.apiKey}` } },
    });
    const client = new Client({ name: 'restart-e2e', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId as string;
    await transport.terminateSession();
    await client.close();

    process.kill(app?.child.pid as number, 'SIGTERM');
    expect(await app?.exited).toBe(0);
    app = await start();
    const response = await fetch(`${baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${env.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
  });
});
