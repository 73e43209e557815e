import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp, listen, ListenerUrls } from '../../src/app.factory';
import { freePort } from './built-app';
import { applyEnv, makeTestEnv, TestEnv } from './test-env';

/** The real app with every listener main.ts starts (API, admin, HTTPS), on fixed loopback ports. */
export interface ListeningApp {
  app: NestExpressApplication;
  env: TestEnv;
  urls: ListenerUrls;
  ports: { http: number; admin: number; https: number };
  /** Stops the app; the data dir stays until `env.cleanup()`, so a second app can start on it. */
  close(): Promise<void>;
}

export interface ListeningAppOptions {
  /** Plain HTTP port of the API (Pebble's HTTP-01 validator dials it); free one when absent. */
  httpPort?: number;
  /** Start on the data dir of an earlier app (a restart). */
  env?: TestEnv;
}

export async function startListeningApp(vars: Record<string, string>, options: ListeningAppOptions = {}): Promise<ListeningApp> {
  const ports = { http: options.httpPort ?? (await freePort()), admin: await freePort(), https: await freePort() };
  const env = options.env ?? makeTestEnv();
  const restore = applyEnv({
    ...env.vars,
    HOST: '127.0.0.1',
    BACKEND_PORT: String(ports.http),
    FRONTEND_PORT: String(ports.admin),
    HTTPS_PORT: String(ports.https),
    ...vars,
  });
  try {
    const app = await createApp();
    const urls = await listen(app);
    return { app, env, urls, ports, close: () => app.close() };
  } finally {
    // The configuration is read once, at creation: the next app of the file may use other values.
    restore();
  }
}
