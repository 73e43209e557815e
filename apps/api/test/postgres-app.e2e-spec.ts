import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { createTemporaryDatabase } from './support/postgres';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

describe('the app on PostgreSQL (DATABASE_URL=postgres://…)', () => {
  let env: TestEnv;
  let restoreEnv: () => void;
  let database: { url: string; drop: () => Promise<void> };
  let app: NestExpressApplication;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    env = makeTestEnv({ DATABASE_URL: database.url });
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
});
