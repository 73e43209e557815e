import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { CallLogPageView, CallStatsView } from '@mcp-proxy/shared/dto';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { MetricsHistoryView } from '@mcp-proxy/shared/dto';
import { createApp } from '../src/app.factory';
import { MetricsHistoryEntity } from '../src/metrics-history/metrics-history.entity';
import { HOUR_MS, MINUTE_MS, MetricsHistoryWriter } from '../src/metrics-history/metrics-history-writer';
import { CallLogRetention } from '../src/calls/call-log-retention';
import { CallLogWriter } from '../src/calls/call-log-writer';
import type { CallRecord } from '../src/proxy/metrics/call-record';
import { createTemporaryDatabase } from './support/postgres';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

describe('the app on PostgreSQL (DATABASE_URL=postgres://…)', () => {
  let env: TestEnv;
  let restoreEnv: () => void;
  let database: { url: string; drop: () => Promise<void> };
  let app: NestExpressApplication;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    env = makeTestEnv({ DATABASE_URL: database.url, CALL_LOG: 'true' });
    restoreEnv = applyEnv(env.vars);
    app = await createApp();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    restoreEnv();
    env.cleanup();
    await database.drop();
  }, 30_000);

  it('runs its migrations on start and keeps services there', async () => {
    const http = app.getHttpServer();
    await request(http)
      .post('/api/services')
      .set('X-API-Key', env.apiKey)
      .send({ name: 'pg-service', process: { command: 'node', args: ['server.js'] }, environment: { TOKEN: 'secret-value' } })
      .expect(201);
    const list = await request(http).get('/api/services').set('X-API-Key', env.apiKey).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ name: 'pg-service', environment: { TOKEN: '********' } })]);
    await request(http)
      .get('/health')
      .expect(200)
      .expect((response) => expect(response.body.services.total).toBe(1));
  });

  it('writes the call history in batches, pages it by cursor with its filters, and sweeps it', async () => {
    const http = app.getHttpServer();
    const writer = app.get(CallLogWriter);
    const base = Date.now();
    const call = (index: number, at: number): CallRecord => ({
      at: new Date(at),
      principalKind: 'client',
      principalId: 'client:pg',
      principalLabel: 'pg token',
      clientName: 'pg-client',
      clientVersion: '1',
      endpoint: 'pg-service',
      serviceId: 'pg-id',
      serviceName: 'pg-service',
      method: 'tools/call',
      tool: `tool-${index % 2}`,
      originalTool: null,
      durationMs: index,
      outcome: index % 2 ? 'tool_error' : 'ok',
      errorCode: null,
      requestBytes: 100,
      responseBytes: 200,
      argumentsSha256: 'a'.repeat(64),
    });
    // Two share one millisecond: the cursor must tell them apart by id.
    for (let index = 0; index < 5; index++) writer.insertRow(call(index, base - (index === 4 ? 3 : index) * 1000));
    writer.insertRow(call(9, base - 40 * 24 * 60 * 60 * 1000));
    await writer.flush();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await request(http)
        .get('/api/calls')
        .query({ limit: '2', service: 'pg-service', ...(cursor ? { cursor } : {}) })
        .set('X-API-Key', env.apiKey)
        .expect(200);
      const page = response.body as CallLogPageView;
      seen.push(...page.items.map((item) => item.at));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect([...seen].sort().reverse()).toEqual(seen);
    const errors = await request(http)
      .get('/api/calls')
      .query({ outcome: 'tool_error', tool: 'tool-1' })
      .set('X-API-Key', env.apiKey)
      .expect(200);
    expect((errors.body as CallLogPageView).items).toHaveLength(3);

    // Per-tool figures computed by PostgreSQL: nearest-rank percentiles of the durations (0,2,4 and 1,3).
    const stats = await request(http).get('/api/calls/stats').query({ range: 'day' }).set('X-API-Key', env.apiKey).expect(200);
    expect((stats.body as CallStatsView).tools).toEqual([
      expect.objectContaining({ tool: 'tool-0', calls: 3, errors: 0, p50Ms: 2, p95Ms: 4, topClients: [{ client: 'pg-client', calls: 3 }] }),
      expect.objectContaining({ tool: 'tool-1', calls: 2, errors: 2, errorRate: 1, p50Ms: 1, p95Ms: 3 }),
    ]);

    expect(await app.get(CallLogRetention).sweep({ retentionDays: 30, maxRows: 0, now: Date.now() })).toBe(1);
    await app.get(CallLogRetention).sweep({ retentionDays: 0, maxRows: 2, now: Date.now() });
    const left = await request(http).get('/api/calls').set('X-API-Key', env.apiKey).expect(200);
    expect((left.body as CallLogPageView).items.map((item) => item.durationMs)).toEqual([0, 1]);
  });
  it('keeps the metrics history: minute rows of two instances rolled up into hour rows, merged on read, twice the same', async () => {
    const http = app.getHttpServer();
    const rows = app.get<Repository<MetricsHistoryEntity>>(getRepositoryToken(MetricsHistoryEntity));
    const now = Date.now();
    const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS;
    const row = (instance: string, minute: number, calls: number): MetricsHistoryEntity => ({
      resolution: '1m',
      serviceId: 'pg-history-id',
      instance,
      at: new Date(hourStart + minute * MINUTE_MS),
      serviceName: 'pg-history',
      calls,
      errors: 1,
      latency: JSON.stringify({ 20: calls }),
      samples: 1,
      cpuSum: 5,
      rssSum: 1_000_000,
    });
    await rows.insert([
      row('pg-a', 1, 2),
      row('pg-a', 2, 3),
      row('pg-b', 2, 4),
      { ...row('pg-a', 0, 1), at: new Date(now - 25 * HOUR_MS) },
    ]);
    const writer = app.get(MetricsHistoryWriter);
    await writer.downsample(now);
    await writer.downsample(now);
    const hours = await rows.find({ where: { resolution: '1h', serviceId: 'pg-history-id' }, order: { instance: 'ASC' } });
    expect(hours.map((hour) => [hour.instance, hour.calls, hour.cpuSum])).toEqual([
      ['pg-a', 5, 10],
      ['pg-b', 4, 5],
    ]);
    expect(await rows.countBy({ resolution: '1m', serviceId: 'pg-history-id' })).toBe(3);
    const month = await request(http)
      .get('/api/metrics/history')
      .query({ service: 'pg-history', range: 'month' })
      .set('X-API-Key', env.apiKey)
      .expect(200);
    expect((month.body as MetricsHistoryView).services[0]?.points).toEqual([
      expect.objectContaining({ at: new Date(hourStart).toISOString(), calls: 9, errors: 3, cpuPercent: 10, rssBytes: 2_000_000 }),
    ]);
    const events = await request(http).get('/api/events').query({ limit: '5' }).set('X-API-Key', env.apiKey).expect(200);
    expect(events.body).toEqual({ items: expect.any(Array), nextCursor: null });
  });
});
