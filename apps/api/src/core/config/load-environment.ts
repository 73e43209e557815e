import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { AppEnv, validateEnv } from './env.schema';

/**
 * The validated settings for code that runs without Nest (the backup CLI): a `.env` in the working
 * directory under the real environment, as ConfigModule reads them for the server.
 */
export function loadEnvironment(envFile = '.env'): AppEnv {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return validateEnv({ ...fromFile, ...process.env });
}
