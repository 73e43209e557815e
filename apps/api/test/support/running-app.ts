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
