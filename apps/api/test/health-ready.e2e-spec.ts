import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connect, Socket } from 'node:net';
import { freePort, RunningApp, startBuiltApi, waitForOk } from './support/built-app';
import { api } from './support/keep-calling';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(120_000);

/**
 * `/health/ready` is what a load balancer asks: 200 while the built proxy serves, 503 once SIGTERM began
 * a graceful stop. New connections are refused while it drains, so the question is asked on a connection
 * that is busy with a slow call (HTTP/1.1 pipelining): the answer comes after the call's, and says 503.
 */
describe('/health/ready during a graceful stop (built bundle, SIGTERM)', () => {
  let env: TestEnv;
  let app: RunningApp | null = null;
  let port = 0;

  beforeAll(async () => {
    env = makeTestEnv();
    port = await freePort();
    const vars = {
      ...env.vars,
      BACKEND_PORT: String(port),
      FRONTEND_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_SEC: '15',
    };
    app = startBuiltApi(vars);
    await waitForOk(`http://127.0.0.1:${port}/health/ready`, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${app?.output()}`);
    });
    await api(`http://127.0.0.1:${port}`, env.apiKey, 'POST', '/api/services', {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER] },
      proxy: { rateLimit: 0 },
      start: true,
    });
    await eventually(async () => {
      const view = await api<{ status: string }>(`http://127.0.0.1:${port}`, env.apiKey, 'GET', '/api/services/everything');
      if (view.status !== 'running') throw new Error(view.status);
    }, 30_000);
  });

  afterAll(async () => {
    await app?.stop();
    env.cleanup();
  });

  it('answers 200 while serving and 503 once draining, on a connection held by a slow call', async () => {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, state: 'ready' });

    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp/everything`), {
      requestInit: { headers: { Authorization: `Bearer ${env.apiKey}` } },
    });
    const client = new Client({ name: 'ready-e2e', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId as string;

    // The slow call on a raw connection of our own, so the next request can be written onto it.
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name: 'trigger-long-running-operation',
        arguments: { duration: 4, steps: 4 },
        _meta: { progressToken: 1 },
      },
    });
    socket.write(
      [
        'POST /mcp/everything HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        `Authorization: Bearer ${env.apiKey}`,
        `Mcp-Session-Id: ${sessionId}`,
        'MCP-Protocol-Version: 2025-06-18',
        'Content-Type: application/json',
        'Accept: application/json, text/event-stream',
        `Content-Length: ${Buffer.byteLength(call)}`,
        '',
        call,
      ].join('\r\n'),
    );
    // Accepted: its first progress notification is on the wire.
    await eventually(async () => {
      if (!received.includes('notifications/progress')) throw new Error('no progress yet');
    }, 20_000);

    process.kill(app?.child.pid as number, 'SIGTERM');
    // New connections are refused once it drains; the held one still takes a request.
    await eventually(
      async () => {
        const refused = await fetch(`http://127.0.0.1:${port}/health`).then(
          () => false,
          () => true,
        );
        if (!refused) throw new Error('still accepting');
      },
      10_000,
      20,
    );
    socket.write(`GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    await closed;

    const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
    expect(statuses).toEqual([200, 503]);
    expect(received).toMatch(/completed/i);
    expect(received.slice(received.lastIndexOf('HTTP/1.1 503'))).toContain('"state":"draining"');
    expect(await app?.exited).toBe(0);
    await client.close().catch(() => undefined);
  });
});
