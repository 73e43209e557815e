import { Injectable } from '@nestjs/common';
import { HttpFetcher } from '../ip/http-fetcher';

export type CheckerVerdict = { reachable: boolean; checker: string } | { reachable: null; reason: string };

/**
 * Asks an external checker (PORT_CHECK_URLS, tried in order) whether it can open a TCP connection to
 * `host:port` from the internet. A checker URL may hold `{host}`, `{port}` and `{protocol}`; without
 * them they are added as query parameters. It answers 200 with JSON `{"reachable": true|false}`
 * (`"open"` is read too). When none answers that way, the verdict is unknown, never "closed".
 */
@Injectable()
export class ExternalPortChecker {
  constructor(private readonly http: HttpFetcher) {}

  async check(urls: string[], host: string, port: number, timeoutMs: number): Promise<CheckerVerdict> {
    if (urls.length === 0) return { reachable: null, reason: 'no external checker is configured (PORT_CHECK_URLS)' };
    const failures: string[] = [];
    for (const template of urls) {
      const url = checkerUrl(template, host, port);
      try {
        const answer = await this.http.getText(url, timeoutMs);
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
        const reachable = verdictIn(answer.body);
        if (reachable === null) throw new Error('the answer has no boolean "reachable"');
        return { reachable, checker: origin(template) };
      } catch (error) {
        failures.push(`${origin(template)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { reachable: null, reason: `no external checker answered (${failures.join('; ')})` };
  }
}

export function checkerUrl(template: string, host: string, port: number): string {
  const values: Record<string, string> = { host, port: String(port), protocol: 'tcp' };
  if (/\{(host|port|protocol)\}/.test(template)) {
    return template.replace(/\{(host|port|protocol)\}/g, (_, name: string) => encodeURIComponent(values[name]));
  }
  const url = new URL(template);
  for (const [name, value] of Object.entries(values)) url.searchParams.set(name, value);
  return url.toString();
}

function verdictIn(body: string): boolean | null {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { reachable, open } = parsed as Record<string, unknown>;
    if (typeof reachable === 'boolean') return reachable;
    if (typeof open === 'boolean') return open;
  } catch {
    // not JSON
  }
  return null;
}

/** Shown to users and logged: the checker's origin, not a URL that might carry a token in its query. */
function origin(template: string): string {
  try {
    return new URL(template.replace(/\{(host|port|protocol)\}/g, 'x')).origin;
  } catch {
    return 'checker';
  }
}
