import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { HttpFetcher } from './http-fetcher';

export type LookupResult = { ip: string; url: string } | { ip: null; reason: string };

/**
 * Asks the "what is my IP" endpoints (PUBLIC_IP_URLS) in order and takes the first address one of
 * them gives: plain text (`203.0.113.7\n`) or JSON with an `ip` field, as the common services answer.
 */
@Injectable()
export class PublicIpLookup {
  constructor(private readonly http: HttpFetcher) {}

  async lookup(urls: string[], timeoutMs: number): Promise<LookupResult> {
    if (urls.length === 0) return { ip: null, reason: 'no "what is my IP" endpoint is configured (PUBLIC_IP_URLS)' };
    const failures: string[] = [];
    for (const url of urls) {
      try {
        const answer = await this.http.getText(url, timeoutMs);
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
        const ip = addressIn(answer.body);
        if (!ip) throw new Error('the answer holds no IP address');
        return { ip, url };
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { ip: null, reason: `no "what is my IP" endpoint answered (${failures.join('; ')})` };
  }
}

/** The address in a plain-text or `{"ip": …}` answer, or null. */
export function addressIn(body: string): string | null {
  const text = body.trim();
  if (isIP(text) !== 0) return text;
  try {
    const parsed = JSON.parse(text) as unknown;
    const ip = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['ip'] : undefined;
    if (typeof ip === 'string' && isIP(ip.trim()) !== 0) return ip.trim();
  } catch {
    // not JSON
  }
  return null;
}
