import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { browse, CookieJar, locationOf } from './oidc-idp';

const FIXTURE = join(__dirname, '../fixtures/oauth-upstream.mjs');

/** fixtures/oauth-upstream.mjs as a child: an MCP server that needs OAuth, and its authorization server. */
export interface OAuthUpstream {
  issuer: string;
  mcpUrl: string;
  staticClientId: string;
  staticClientSecret: string;
  addAccount(id: string): Promise<void>;
  /** Revokes every access and refresh token the account was issued, at the authorization server. */
  revoke(id: string): Promise<void>;
  /** The Authorization headers the MCP server received, in order (`Bearer <token>` or `(none)`). */
  seen(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startOAuthUpstream(redirectUri: string, accessTokenTtlSec: number): Promise<OAuthUpstream> {
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', FIXTURE], {
    env: { PATH: process.env['PATH'] ?? '', REDIRECT_URIS: redirectUri, ACCESS_TOKEN_TTL: String(accessTokenTtlSec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<Omit<OAuthUpstream, 'addAccount' | 'revoke' | 'seen' | 'stop'>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the OAuth upstream did not start in 20 s: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`the OAuth upstream exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
  const hook = async (path: string): Promise<void> => {
    const response = await fetch(`${started.issuer}/_test/${path}`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`${path}: ${response.status}`);
  };
  return {
    ...started,
    addAccount: (id) => hook(`accounts/${encodeURIComponent(id)}`),
    revoke: (id) => hook(`revoke/${encodeURIComponent(id)}`),
    seen: async () => (await (await fetch(`${new URL(started.mcpUrl).origin}/_test/seen`)).json()) as string[],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * "Connect your account" played by a browser over plain HTTP: the app's connect route (with the caller's
 * credential), the authorization server's login form posted as `account`, and its redirect delivered to
 * the app's callback (the redirect URI names PUBLIC_URL; the app listens elsewhere). Returns where the
 * callback sent the browser.
 */
export async function connectAccount(
  appBaseUrl: string,
  upstream: OAuthUpstream,
  serviceId: string,
  credential: [string, string],
  account: string,
  query = '',
): Promise<URL> {
  return connectThrough(appBaseUrl, upstream, `/api/services/${serviceId}/oauth/connect${query}`, credential, account);
}

/** The same walk from any page of the app that starts connecting (the connect route, a URL elicitation's link). */
export async function connectThrough(
  appBaseUrl: string,
  upstream: OAuthUpstream,
  startPath: string,
  credential: [string, string],
  account: string,
): Promise<URL> {
  const jar = new CookieJar();
  const asJar = new CookieJar();
  const start = await fetch(`${appBaseUrl}${startPath}`, {
    headers: { [credential[0]]: credential[1] },
    redirect: 'manual',
  });
  if (start.status !== 302) throw new Error(`connect answered ${start.status}: ${await start.text()}`);
  jar.take(start);
  const authorize = locationOf(start, appBaseUrl);
  const toLogin = await browse(asJar, authorize.href);
  if (toLogin.status !== 303 && toLogin.status !== 302)
    throw new Error(`the authorization server answered ${toLogin.status} for ${authorize.href}: ${await toLogin.text()}`);
  const loginPage = locationOf(toLogin, upstream.issuer);
  const posted = await browse(asJar, `${loginPage.href}/login`, { form: { login: account } });
  if (posted.status !== 303 && posted.status !== 302) throw new Error(`the login form answered ${posted.status}: ${await posted.text()}`);
  let next = locationOf(posted, upstream.issuer);
  for (let hops = 0; next.origin === upstream.issuer && hops < 5; hops++)
    next = locationOf(await browse(asJar, next.href), upstream.issuer);
  const back = await browse(jar, `${appBaseUrl}${next.pathname}${next.search}`);
  if (back.status !== 303) throw new Error(`the callback answered ${back.status}`);
  return locationOf(back, appBaseUrl);
}
