import { Logger } from '@nestjs/common';

/**
 * Work started and not awaited (`after a child exits, do …`): a failure in it is logged with what it was
 * doing, instead of becoming an unhandled rejection, which would stop the whole process.
 */
export function inBackground(work: Promise<unknown>, context: string, what: string): void {
  work.catch((error: unknown) => new Logger(context).error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`));
}
