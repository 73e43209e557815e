import { createApp, listen } from './app.factory';
import { InvalidEnvironmentError } from './core/config/env.schema';
import { AppLogger } from './core/logging/app-logger';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const urls = await listen(app);
  app
    .get(AppLogger)
    .log(`API on ${urls.api}, admin UI on ${urls.admin}${urls.https ? `, HTTPS (API, MCP and admin UI) on ${urls.https}` : ''}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof InvalidEnvironmentError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
