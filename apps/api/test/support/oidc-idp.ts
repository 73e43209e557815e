import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const FIXTURE = join(__dirname, '../fixtures/oidc-provider.mjs');

/** The test IdP (fixtures/oidc-provider.mjs) running as a child on loopback. */
export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Creates or replaces an account and its claims (`groups`, `preferred_username`, `email` …). */
  setAccount(id: string, claims: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startIdp(redirectUris: string[]): Promise<TestIdp> {
  const clientId = 'mcp-proxy-e2e';
  const clientSecret = 'idp-client-secret-for-e2e-0123456789';
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', FIXTURE], {
    env: { PATH: process.env['PATH'] ?? '', CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, REDIRECT_URIS: redirectUris.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test IdP did not start in 15 s: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`the test IdP exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    async setAccount(id, claims) {
      const response = await fetch(`${issuer}/_test/accounts/${encodeURIComponent(id)}`, { method: 'POST', body: JSON.stringify(claims) });
      if (response.status !== 204) throw new Error(`setting account ${id}: ${response.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Cookies by name for one origin: enough for a test playing a browser (paths and expiry are not needed here). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /^\s*expires=thu, 01 jan 1970/i.test(attribute)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** A GET or POST that does not follow redirects, sends and keeps the jar's cookies. */
export async function browse(
  jar: CookieJar,
  url: string,
  init: { method?: string; form?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header(), 'user-agent': 'e2e-browser/1.0' };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
  jar.take(response);
  return response;
}

export function locationOf(response: Response, base: string): URL {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base);
}
