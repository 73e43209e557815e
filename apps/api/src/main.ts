import { createApp, listen, stopGracefully } from './app.factory';
import { runBackupCli } from './backup/backup-cli';
import { runRotateKeyCli } from './backup/rotate-key-cli';
import { InvalidEnvironmentError } from './core/config/env.schema';
import { loadEnvironment } from './core/config/load-environment';
import { AppLogger } from './core/logging/app-logger';

/** Copies of one signal (the group's and a parent's forwarded one) arrive within this. */
const SAME_SIGNAL_WINDOW_MS = 1000;

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const urls = await listen(app);
  app
    .get(AppLogger)
    .log(
      `API on ${urls.api}, admin UI on ${urls.admin}${urls.https ? `, HTTPS (API, MCP and admin UI) on ${urls.https}` : ''}`,
      'Bootstrap',
    );
  stopOnSignals(app);
}

/**
 * One graceful stop per SIGTERM or SIGINT, however many copies of it arrive: a terminal's Ctrl-C reaches the
 * whole process group and `npm start` forwards it too, so a repeat within a second is the same request. Only a
 * signal at least a second after the first forces the stop. Started by `npm start` (an IPC channel to its
 * launcher), the API also stops when its launcher goes away, so nothing outlives it.
 */
function stopOnSignals(app: Awaited<ReturnType<typeof createApp>>): void {
  const logger = app.get(AppLogger);
  let firstSignalAt: number | null = null;
  const stop = (reason: string): void => {
    if (firstSignalAt !== null) {
      if (Date.now() - firstSignalAt < SAME_SIGNAL_WINDOW_MS) return;
      logger.warn(`${reason} again: stopping at once`, 'Bootstrap');
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.log(`${reason}: finishing calls in progress, then stopping`, 'Bootstrap');
    stopGracefully(app).then(
      () => {
        logger.log('stopped', 'Bootstrap');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (process.send) process.on('disconnect', () => stop('the launcher (npm start) went away'));
}

const CLI_COMMANDS = ['backup', 'restore', 'rotate-key'];

/** `node main.js backup|restore|rotate-key …` runs that command instead of the server. */
async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  if (command === 'backup' || command === 'restore') {
    process.exitCode = await runBackupCli(command, args, loadEnvironment(), print);
    return;
  }
  if (command === 'rotate-key') {
    process.exitCode = await runRotateKeyCli(args, loadEnvironment(), print);
    return;
  }
  await bootstrap();
}

main().catch((error: unknown) => {
  const cli = CLI_COMMANDS.includes(process.argv[2] ?? '');
  if (error instanceof InvalidEnvironmentError) process.stderr.write(`${error.message}\n`);
  else if (cli) process.stderr.write(`Failed: ${error instanceof Error ? error.message : String(error)}\n`);
  else process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
