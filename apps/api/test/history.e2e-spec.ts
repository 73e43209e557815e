import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { MetricsHistoryView, ProxyLogView, ServiceEventPageView, ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { getRepositoryToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { createApp } from '../src/app.factory';
import { AppLogger } from '../src/core/logging/app-logger';
import { ServiceEventRecorder } from '../src/events/service-event-recorder';
import { MetricsHistoryEntity } from '../src/metrics-history/metrics-history.entity';
import { HOUR_MS, MINUTE_MS, MetricsHistoryWriter } from '../src/metrics-history/metrics-history-writer';
import { connectClient, EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually, RunningApp, waitForStatus } from './support/running-app';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

const FIXTURE_SERVER = join(__dirname, 'fixtures', 'conformance-server.mjs');
const PASSWORD = 'correct horse battery';
const MINE = 'mine-svc';
/** Distinctive, so any trace of it in a limited user's answer is a leak. */
const FOREIGN = 'zeta-foreign-svc';
// Two app starts, services, sign-ins (scrypt): slow on a loaded machine.
jest.setTimeout(120_000);

/** Starts the app on the data dir of `env` (a second call is a restart: same database, new process state). */
async function boot(env: TestEnv): Promise<RunningApp> {
  const restore = applyEnv(env.vars);
  let app: NestExpressApplication;
  try {
    app = await createApp();
    await app.listen(0, '127.0.0.1');
  } finally {
    restore();
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, env, baseUrl: `http://127.0.0.1:${port}`, api: () => request(app.getHttpServer()), close: () => app.close() };
}

/**
 * What the dashboard and charts show survives a reload and a restart: service events and the metrics history
 * live in the database, read within the caller's services; tool results with `isError: true` count as errors;
 * the proxy's own log is the admin's only, with its secrets masked.
 */
describe('events, metrics history and the proxy log', () => {
  const env = makeTestEnv({ PROCESS_STOP_GRACE_SEC: '2', AUTH_FAILURE_LIMIT: '100000' });
  let running: RunningApp;
  let viewerToken = '';
  let clientToken = '';
  const clients: Client[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function register(name: string, args: string[]): Promise<void> {
    await running
      .api()
      .post('/api/services')
      .set(...asAdmin())
      .send({ name, process: { command: process.execPath, args }, proxy: { rateLimit: 0 }, start: true })
      .expect(201);
    await waitForStatus(running, name, 'running', 30_000);
  }

  async function signIn(): Promise<string> {
    const response = await running.api().post('/api/auth/login').send({ username: 'lim-viewer', password: PASSWORD }).expect(201);
    return (response.body as { token: string }).token;
  }

  async function events(credential: [string, string], query: Record<string, string> = {}): Promise<ServiceEventPageView> {
    await running.app.get(ServiceEventRecorder).settled();
    return (
      await running
        .api()
        .get('/api/events')
        .query(query)
        .set(...credential)
        .expect(200)
    ).body as ServiceEventPageView;
  }

  async function history(credential: [string, string], query: Record<string, string>): Promise<MetricsHistoryView> {
    return (
      await running
        .api()
        .get('/api/metrics/history')
        .query(query)
        .set(...credential)
        .expect(200)
    ).body as MetricsHistoryView;
  }

  beforeAll(async () => {
    running = await boot(env);
    await register(MINE, [EVERYTHING_SERVER, 'stdio']);
    await register(FOREIGN, [FIXTURE_SERVER]);
    await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username: 'lim-viewer', password: PASSWORD, role: 'viewer', services: [MINE] })
      .expect(201);
    viewerToken = await signIn();
    const created = await running
      .api()
      .post('/api/client-tokens')
      .set(...asAdmin())
      .send({ label: 'history client', services: [MINE] })
      .expect(201);
    clientToken = (created.body as { token: string }).token;
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
    env.cleanup();
  }, 60_000);

  it('keeps service events across a restart of the app, says a manual restart is one, and shows a limited user only theirs', async () => {
    await running
      .api()
      .post(`/api/services/${MINE}/restart`)
      .set(...asAdmin())
      .expect(200);
    await waitForStatus(running, MINE, 'running', 30_000);
    const before = await eventually(async () => {
      const page = await events(asAdmin());
      expect(page.items.filter((item) => item.serviceName === MINE && item.kind === 'running').length).toBeGreaterThanOrEqual(2);
      return page;
    }, 30_000);
    const restart = before.items.find((item) => item.serviceName === MINE && item.kind === 'restarting');
    expect(restart?.message).toBe('restarting on request');
    expect(JSON.stringify(before.items)).not.toContain('automatic');
    expect(before.items.some((item) => item.serviceName === FOREIGN && item.kind === 'running')).toBe(true);

    await running.close();
    running = await boot(env);
    await waitForStatus(running, MINE, 'running', 30_000);
    const after = await events(asAdmin(), { limit: '200' });
    for (const item of before.items) expect(after.items.map((kept) => kept.id)).toContain(item.id);

    viewerToken = await signIn();
    const limited = await events(bearer(viewerToken), { limit: '200' });
    expect(limited.items.length).toBeGreaterThan(0);
    expect(limited.items.every((item) => item.serviceName === MINE)).toBe(true);
    expect((await events(bearer(viewerToken), { service: FOREIGN })).items).toEqual([]);

    // Pages newest first by cursor, without repeats.
    const first = await events(asAdmin(), { limit: '1' });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await events(asAdmin(), { limit: '1', cursor: first.nextCursor ?? '' });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    expect(Date.parse(second.items[0]?.at ?? '')).toBeLessThanOrEqual(Date.parse(first.items[0]?.at ?? ''));
  });

  it('refuses anonymous callers, client tokens and bad queries', async () => {
    for (const path of ['/api/events', '/api/metrics/history', '/api/logs/proxy']) {
      await running.api().get(path).expect(401);
      await running
        .api()
        .get(path)
        .set(...bearer(clientToken))
        .expect(403);
    }
    const bad = await running
      .api()
      .get('/api/events')
      .query({ limit: '0', colour: 'red' })
      .set(...asAdmin())
      .expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/limit/);
    expect(JSON.stringify(bad.body)).toMatch(/colour/);
    await running
      .api()
      .get('/api/events')
      .query({ cursor: 'bm9wZQ' })
      .set(...asAdmin())
      .expect(400);
    const range = await running
      .api()
      .get('/api/metrics/history')
      .query({ range: 'year' })
      .set(...asAdmin())
      .expect(400);
    expect(JSON.stringify(range.body)).toMatch(/range/);
  });

  it('counts tool results with isError as errors, in the live figures and in the minute history', async () => {
    const writer = running.app.get(MetricsHistoryWriter);
    await writer.flush(Date.now());
    const fixture = await connectClient(running.baseUrl, FOREIGN, env.apiKey, 'streamable');
    clients.push(fixture);
    expect((await fixture.callTool({ name: 'test_error_handling', arguments: {} })).isError).toBe(true);
    const metrics = (
      await running
        .api()
        .get(`/api/services/${FOREIGN}/metrics`)
        .set(...asAdmin())
        .expect(200)
    ).body as ServiceMetricsView;
    expect(metrics.proxy?.errors).toBeGreaterThanOrEqual(1);
    expect(metrics.proxy?.errorRate).toBeGreaterThan(0);

    // A minute later the writer flushes; here the test closes the minute itself.
    await writer.flush(Date.now());
    const view = await history(asAdmin(), { service: FOREIGN, range: 'hour' });
    expect(view.stepSeconds).toBe(60);
    const points = view.services.find((series) => series.serviceName === FOREIGN)?.points ?? [];
    expect(points.reduce((sum, point) => sum + point.errors, 0)).toBeGreaterThanOrEqual(1);
    expect(points.reduce((sum, point) => sum + point.calls, 0)).toBeGreaterThanOrEqual(2);
    expect(points.some((point) => point.p50 !== null && point.p99 !== null)).toBe(true);

    // Process samples arrive every few seconds; a minute with some has CPU and memory.
    await eventually(
      async () => {
        await writer.flush(Date.now());
        const mine = (await history(asAdmin(), { service: MINE })).services[0]?.points ?? [];
        expect(mine.some((point) => point.rssBytes !== null && point.rssBytes > 0 && point.cpuPercent !== null)).toBe(true);
      },
      60_000,
      2000,
    );
    const limited = await history(bearer(viewerToken), { range: 'hour' });
    expect(limited.services.map((series) => series.serviceName)).toEqual([MINE]);
    expect(JSON.stringify(await history(bearer(viewerToken), { service: FOREIGN }))).not.toContain(FOREIGN);
  });

  it('downsamples minute rows of every instance into hour rows, merges instances on read and drops rows past their age', async () => {
    const rows = running.app.get<Repository<MetricsHistoryEntity>>(getRepositoryToken(MetricsHistoryEntity));
    const now = Date.now();
    const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const row = (resolution: '1m' | '1h', instance: string, at: number, calls: number): MetricsHistoryEntity => ({
      resolution,
      serviceId: 'old-svc-id',
      instance,
      at: new Date(at),
      serviceName: 'old-svc',
      calls,
      errors: 1,
      latency: JSON.stringify({ 10: calls }),
      samples: 2,
      cpuSum: 20,
      rssSum: 2000,
    });
    await rows.insert([
      row('1m', 'instance-a', hourStart + 5 * MINUTE_MS, 3),
      row('1m', 'instance-a', hourStart + 10 * MINUTE_MS, 4),
      row('1m', 'instance-b', hourStart + 10 * MINUTE_MS, 5),
      row('1m', 'instance-a', now - 25 * HOUR_MS, 1),
      row('1h', 'instance-a', now - 31 * 24 * HOUR_MS, 1),
    ]);
    await running.app.get(MetricsHistoryWriter).downsample(now);

    const hours = await rows.find({ where: { resolution: '1h', serviceId: 'old-svc-id' }, order: { instance: 'ASC' } });
    expect(hours.map((hour) => [hour.instance, hour.at.getTime(), hour.calls, hour.samples])).toEqual([
      ['instance-a', hourStart, 7, 4],
      ['instance-b', hourStart, 5, 2],
    ]);
    expect(await rows.countBy({ resolution: '1m', serviceId: 'old-svc-id' })).toBe(3);

    const month = await history(asAdmin(), { service: 'old-svc', range: 'month' });
    expect(month.stepSeconds).toBe(3600);
    // Both instances in one point: calls summed, CPU and memory each instance's mean, summed.
    expect(month.services[0]?.points).toEqual([
      {
        at: new Date(hourStart).toISOString(),
        calls: 12,
        errors: 3,
        p50: expect.any(Number),
        p95: expect.any(Number),
        p99: expect.any(Number),
        cpuPercent: 20,
        rssBytes: 2000,
      },
    ]);
    const day = await history(asAdmin(), { service: 'old-svc', range: 'day' });
    expect(day.stepSeconds).toBe(300);
    expect(day.services[0]?.points.map((point) => point.calls)).toEqual([3, 9]);
    // Running it again changes nothing (every instance may).
    await running.app.get(MetricsHistoryWriter).downsample(now);
    expect(await rows.countBy({ resolution: '1h', serviceId: 'old-svc-id' })).toBe(2);
  });

  it("shows the proxy's own log to admins only, with the proxy's secrets masked", async () => {
    running.app.get(AppLogger).event('error', { detail: `leaked ${env.apiKey} here` }, 'history-e2e marker line');
    const view = (
      await running
        .api()
        .get('/api/logs/proxy')
        .query({ tail: '50' })
        .set(...asAdmin())
        .expect(200)
    ).body as ProxyLogView;
    const line = view.lines.find((entry) => entry.text.includes('history-e2e marker line'));
    expect(line).toMatchObject({ level: 'error', at: expect.any(String) });
    expect(line?.text).toContain('********');
    expect(JSON.stringify(view)).not.toContain(env.apiKey);
    expect(view.lines.length).toBeLessThanOrEqual(50);
    await running
      .api()
      .get('/api/logs/proxy')
      .set(...bearer(viewerToken))
      .expect(403);
    await running
      .api()
      .get('/api/logs/proxy')
      .query({ tail: '0' })
      .set(...asAdmin())
      .expect(400);
  });
});
