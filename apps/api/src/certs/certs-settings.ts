import type { AcmeChallengeType, CertProvider } from '@mcp-proxy/shared/dto';
import type { AppConfig } from '../core/config/app-config';

export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** What the certs module does, derived once from the validated environment; set directly in unit tests. */
export interface CertsSettings {
  enabled: boolean;
  provider: CertProvider;
  domain: string | undefined;
  /** Names an ACME order asks for: the domain, plus its apex when the domain is a wildcard. */
  acmeNames: string[];
  /** Names the self-signed certificate covers: the domain (or localhost) and the loopback addresses. */
  selfSignedNames: string[];
  directoryUrl: string;
  email: string | undefined;
  challenge: AcmeChallengeType;
  cloudflare: { token: string; apiUrl: string } | undefined;
  /** `ip` or `ip:port` to check a DNS-01 record with; empty means the zone's own name servers. */
  dnsResolvers: string[];
  httpsPort: number;
  forceSsl: boolean;
}

export const CERTS_SETTINGS = Symbol('CERTS_SETTINGS');

export function certsSettingsFrom(config: AppConfig): CertsSettings {
  const domain = config.get('DOMAIN')?.toLowerCase();
  const token = config.get('CLOUDFLARE_TOKEN');
  return {
    enabled: config.get('SSL_ENABLED'),
    provider: config.get('SSL_PROVIDER'),
    domain,
    acmeNames: domain ? acmeNamesFor(domain) : [],
    selfSignedNames: [...new Set([...(domain ? acmeNamesFor(domain) : []), 'localhost', '127.0.0.1', '::1'])],
    directoryUrl: config.get('ACME_DIRECTORY_URL') ?? (config.get('SSL_STAGING') ? LETS_ENCRYPT_STAGING : LETS_ENCRYPT_PRODUCTION),
    email: config.get('SSL_EMAIL'),
    challenge: token ? 'dns-01' : 'http-01',
    cloudflare: token ? { token, apiUrl: config.get('CLOUDFLARE_API_URL') } : undefined,
    dnsResolvers: config.get('ACME_DNS_RESOLVERS'),
    httpsPort: config.get('HTTPS_PORT'),
    forceSsl: config.get('FORCE_SSL'),
  };
}

/** A wildcard covers one level below its apex but not the apex itself, which users nearly always want too. */
export function acmeNamesFor(domain: string): string[] {
  return domain.startsWith('*.') ? [domain, domain.slice(2)] : [domain];
}
