import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WORKSPACE_ROOT } from './gateway-process';

/** The API tests' OpenID provider (oidc-provider, certified) with its plain login form: one fixture for both suites. */
const FIXTURE = join(WORKSPACE_ROOT, 'apps/api/test/fixtures/oidc-provider.mjs');

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Creates or replaces an account (its login is the id) with its claims. */
  setAccount(id: string, claims: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the IdP on loopback, with our client registered for `redirectUris`. */
export async function startIdentityProvider(redirectUris: string[]): Promise<IdentityProvider> {
  const clientId = 'mcp-proxy-browser-e2e';
  const clientSecret = 'idp-client-secret-for-browser-e2e-0123';
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', FIXTURE], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, REDIRECT_URIS: redirectUris.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test IdP did not start in 20 s: ${stderr}`)), 20_000);
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
      if (response.status !== 204) throw new Error(`setting account ${id}: HTTP ${response.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
