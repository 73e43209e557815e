import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { applyEnv, makeTestEnv, TestEnv } from './test-env';

/** The real app listening on a loopback port, with its own data dir. */
export interface RunningApp {
  app: NestExpressApplication;
  env: TestEnv;
  baseUrl: string;
  api: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

export async function startApp(extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  const env = makeTestEnv(extraEnv);
  const restore = applyEnv(env.vars);
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    env,
    baseUrl: `http://127.0.0.1:${port}`,
    api: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      restore();
      env.cleanup();
    },
  };
}

/** Polls until `check` passes or the bound is reached; every wait in these tests has a bound. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw lastError;
}

/** GETs `path` as the admin, expecting 200, and returns the body as the view the caller names. */
export async function adminGet<View>(running: RunningApp, path: string): Promise<View> {
  return (await running.api().get(path).set('X-API-Key', running.env.apiKey).expect(200)).body as View;
}

/** Starts, stops or restarts a service as the admin, expecting 200. */
export async function serviceAction(running: RunningApp, name: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
  await running.api().post(`/api/services/${name}/${action}`).set('X-API-Key', running.env.apiKey).expect(200);
}

/** Registers a service through the API (started, unlimited rate by default) and waits until it runs. */
export async function registerService(running: RunningApp, body: Record<string, unknown>): Promise<void> {
  const defaults = { proxy: { rateLimit: 0 }, start: true };
  const response = await running
    .api()
    .post('/api/services')
    .set('X-API-Key', running.env.apiKey)
    .send({ ...defaults, ...body });
  if (response.status !== 201) throw new Error(`creating ${String(body['name'])}: ${response.status} ${JSON.stringify(response.body)}`);
  if (body['start'] !== false) await waitForStatus(running, String(body['name']), 'running');
}

/** Waits (bounded) until the service shows the status. */
export async function waitForStatus(running: RunningApp, name: string, status: string, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => {
    const view = await running.api().get(`/api/services/${name}`).set('X-API-Key', running.env.apiKey);
    if (view.body.status !== status) throw new Error(`${name} is ${view.body.status}, waiting for ${status}`);
  }, timeoutMs);
}
