import { createApp, listen, stopGracefully } from './app.factory';
import { runBackupCli } from './backup/backup-cli';
import { InvalidEnvironmentError } from './core/config/env.schema';
import { loadEnvironment } from './core/config/load-environment';
import { AppLogger } from './core/logging/app-logger';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const urls = await listen(app);
  app
    .get(AppLogger)
    .log(`API on ${urls.api}, admin UI on ${urls.admin}${urls.https ? `, HTTPS (API, MCP and admin UI) on ${urls.https}` : ''}`, 'Bootstrap');
  let stopping = false;
  const stop = (signal: string): void => {
    // A second signal while draining stops at once.
    if (stopping) process.exit(1);
    stopping = true;
    app.get(AppLogger).log(`${signal}: finishing calls in progress, then stopping`, 'Bootstrap');
    stopGracefully(app).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** `node main.js backup|restore …` runs the backup CLI instead of the server. */
async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'backup' || command === 'restore') {
    process.exitCode = await runBackupCli(command, args, loadEnvironment(), (line) => process.stdout.write(`${line}\n`));
    return;
  }
  await bootstrap();
}

main().catch((error: unknown) => {
  const cli = process.argv[2] === 'backup' || process.argv[2] === 'restore';
  if (error instanceof InvalidEnvironmentError) process.stderr.write(`${error.message}\n`);
  else if (cli) process.stderr.write(`Failed: ${error instanceof Error ? error.message : String(error)}\n`);
  else process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
