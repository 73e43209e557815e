import type { AppConfig } from '../../core/config/app-config.service';
import type { AppSecrets } from '../../core/config/secrets';

/** The proxy's own secret values: masked in every child's log, and refused in a child's environment. */
export const PROXY_SECRETS = Symbol('PROXY_SECRETS');

export function proxySecretValues(config: AppConfig, secrets: AppSecrets): string[] {
  const values = [
    secrets.apiKey,
    secrets.jwtSecret,
    secrets.encryptionKey.toString('hex'),
    secrets.encryptionKey.toString('base64'),
    config.get('ENCRYPTION_KEY'),
    config.get('GITHUB_TOKEN'),
    config.get('GITHUB_WEBHOOK_SECRET'),
    config.get('CLOUDFLARE_TOKEN'),
    passwordIn(config.get('DATABASE_URL')),
    passwordIn(config.get('REDIS_URL')),
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
