import type { AppConfig } from '../../core/config/app-config';
import { AppEnv, ENV_SCHEMA, isSecretEnvKey } from '../../core/config/env.schema';
import type { AppSecrets } from '../../core/config/secrets';

/** The proxy's own secret values: masked in every log the proxy keeps or streams (services', deploys'), and refused in a child's environment. */
export const PROXY_SECRETS = Symbol('PROXY_SECRETS');

export function proxySecretValues(config: AppConfig, secrets: AppSecrets): string[] {
  const values = [
    secrets.apiKey,
    secrets.jwtSecret,
    secrets.encryptionKey.toString('hex'),
    secrets.encryptionKey.toString('base64'),
    config.get('ENCRYPTION_KEY'),
    secrets.previousEncryptionKey?.toString('hex'),
    secrets.previousEncryptionKey?.toString('base64'),
    config.get('GITHUB_TOKEN'),
    config.get('GITHUB_WEBHOOK_SECRET'),
    config.get('CLOUDFLARE_TOKEN'),
    passwordIn(config.get('DATABASE_URL')),
    passwordIn(config.get('REDIS_URL')),
    // Every other setting marked secret, so a new one is masked without being listed here.
    ...otherSecretSettings(config),
  ];
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.length > 0))];
}

function passwordIn(url: string | undefined): string | undefined {
  if (!url || !/^[a-z]+:\/\//i.test(url)) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** The values of secret settings not named above, as strings (a key=value list gives each value). */
function otherSecretSettings(config: AppConfig): string[] {
  const values: string[] = [];
  for (const key of Object.keys(ENV_SCHEMA) as (keyof AppEnv)[]) {
    if (!isSecretEnvKey(key)) continue;
    const value: unknown = config.get(key);
    if (typeof value === 'string') values.push(value);
    else if (value && typeof value === 'object' && !Buffer.isBuffer(value))
      values.push(...Object.values(value).filter((item): item is string => typeof item === 'string'));
  }
  return values;
}
