import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { EVERYTHING_SERVER, initializeRequest } from './support/mcp-clients';
import { eventually } from './support/running-app';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(120_000);

/**
 * A persisted Streamable HTTP session brought back after a restart (same database) keeps the limits of
 * the credential that opened it: the same `Mcp-Session-Id` lists and calls only the allowed tools (a
 * named viewer's lists and calls nothing), and a token revoked meanwhile cannot take the session back.
 */
describe('a revived session keeps its client token limits', () => {
  let env: TestEnv;
  let restore: () => void;
  let app: NestExpressApplication | null = null;
  let baseUrl = '';

  async function start(): Promise<void> {
    // The app takes its credentials out of the process environment once read: a restart sets them again, as a new process would have them.
    applyEnv(env.vars);
    const started = await createApp();
    await started.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(started.getHttpServer().address() as AddressInfo).port}`;
    app = started;
  }

  const admin = (): [string, string] => ['X-API-Key', env.apiKey];
  const api = () => request((app as NestExpressApplication).getHttpServer());

  async function serviceRunning(): Promise<void> {
    await eventually(async () => {
      const view = await api()
        .get('/api/services/everything')
        .set(...admin());
      if (view.body.status !== 'running') throw new Error(`everything is ${view.body.status}`);
    }, 30_000);
  }

  async function rpc(
    token: string,
    sessionId: string | null,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (sessionId)
      Object.assign(headers, {
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      });
    const response = await fetch(`${baseUrl}/mcp/everything`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', ...body }),
    });
    const text = await response.text();
    const json = text.startsWith('{')
      ? JSON.parse(text)
      : text.includes('data: ')
        ? JSON.parse(text.slice(text.indexOf('data: ') + 6).split('\n')[0])
        : {};
    return { status: response.status, body: json };
  }

  async function openSession(token: string): Promise<string> {
    const response = await fetch(`${baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: initializeRequest('revival', '2025-11-25'),
    });
    expect(response.status).toBe(200);
    await response.text();
    const sessionId = response.headers.get('mcp-session-id') as string;
    expect(sessionId).toBeTruthy();
    expect((await rpc(token, sessionId, { method: 'notifications/initialized' })).status).toBe(202);
    return sessionId;
  }

  const toolNames = (body: Record<string, unknown>): string[] =>
    ((body['result'] as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((tool) => tool.name);

  async function restart(): Promise<void> {
    await app?.close();
    app = null;
    await start();
    await serviceRunning();
  }

  beforeAll(async () => {
    env = makeTestEnv();
    restore = applyEnv(env.vars);
    await start();
    const created = await api()
      .post('/api/services')
      .set(...admin())
      .send({
        name: 'everything',
        process: {
          command: process.execPath,
          args: [EVERYTHING_SERVER, 'stdio'],
        },
        proxy: { rateLimit: 0 },
        start: true,
      });
    expect(created.status).toBe(201);
    await serviceRunning();
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    env?.cleanup();
  });

  it('lists only the allowed tools and refuses the others after a restart, with the same session id', async () => {
    const minted = await api()
      .post('/api/client-tokens')
      .set(...admin())
      .send({ label: 'echo only', tools: ['echo'] })
      .expect(201);
    const token = minted.body.token as string;
    const sessionId = await openSession(token);
    expect(toolNames((await rpc(token, sessionId, { id: 2, method: 'tools/list' })).body)).toEqual(['echo']);

    await restart();

    const listed = await rpc(token, sessionId, { id: 3, method: 'tools/list' });
    expect(listed.status).toBe(200);
    expect(toolNames(listed.body)).toEqual(['echo']);
    const refused = await rpc(token, sessionId, {
      id: 4,
      method: 'tools/call',
      params: { name: 'get-env', arguments: {} },
    });
    expect(refused.body['error']).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/not allowed/),
    });
    expect(JSON.stringify(refused.body)).not.toContain('API_KEY');
    const allowed = await rpc(token, sessionId, {
      id: 5,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'still here' } },
    });
    expect(JSON.stringify(allowed.body)).toContain('Echo: still here');
  });

  it('keeps a named viewer’s session list-only after a restart: it lists, and its calls are refused', async () => {
    await api()
      .post('/api/users')
      .set(...admin())
      .send({ username: 'vera', password: 'correct horse battery', role: 'viewer' })
      .expect(201);
    const login = await api().post('/api/auth/login').send({ username: 'vera', password: 'correct horse battery' }).expect(201);
    const token = login.body.token as string;
    const sessionId = await openSession(token);
    expect(toolNames((await rpc(token, sessionId, { id: 2, method: 'tools/list' })).body)).toContain('echo');

    await restart();

    const listed = await rpc(token, sessionId, { id: 3, method: 'tools/list' });
    expect(listed.status).toBe(200);
    expect(toolNames(listed.body)).toContain('echo');
    const refused = await rpc(token, sessionId, {
      id: 4,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'after restart' } },
    });
    expect(refused.body).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32600, message: 'tools/call refused: viewers may list but not call: ask an operator or use a client token' },
    });
  });

  it('refuses the session of a token revoked while the proxy was down', async () => {
    const minted = await api()
      .post('/api/client-tokens')
      .set(...admin())
      .send({ label: 'to revoke', tools: ['echo'] })
      .expect(201);
    const token = minted.body.token as string;
    const sessionId = await openSession(token);
    await api()
      .post(`/api/client-tokens/${minted.body.id}/revoke`)
      .set(...admin())
      .expect(201);
    await restart();

    const refused = await rpc(token, sessionId, {
      id: 2,
      method: 'tools/list',
    });
    expect([401, 404]).toContain(refused.status);
    expect(toolNames(refused.body)).toEqual([]);
  });
});
