import { createServer, Server } from 'node:http';
import { attachListener, createApp } from './app.factory';
import { AppConfig } from './core/config/app-config.service';
import { InvalidEnvironmentError } from './core/config/env.schema';
import { AppLogger } from './core/logging/app-logger';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  const logger = app.get(AppLogger);
  const host = config.get('HOST');

  await app.listen(config.get('BACKEND_PORT'), host);
  // The admin port is the same app on a second listener: same origin for the UI and its API.
  const adminServer: Server = createServer();
  attachListener(app, adminServer);
  await new Promise<void>((resolve, reject) => {
    adminServer.once('error', reject);
    adminServer.listen(config.get('FRONTEND_PORT'), host, resolve);
  });
  app.getHttpServer().on('close', () => adminServer.close());

  logger.log(
    `API on http://${host}:${config.get('BACKEND_PORT')}, admin UI on http://${host}:${config.get('FRONTEND_PORT')}`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidEnvironmentError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
