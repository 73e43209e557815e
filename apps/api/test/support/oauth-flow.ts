import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { createHash, randomBytes } from 'node:crypto';
import type { RunningApp } from './running-app';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/**
 * An OAuth client as an MCP host keeps one: in memory, with the browser step left to the test
 * (`redirectToAuthorization` only records where the browser would go).
 */
export class TestOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | null = null;
  readonly stateValue = randomBytes(12).toString('base64url');
  private information: OAuthClientInformationMixed | undefined;
  private stored: OAuthTokens | undefined;
  private verifier = '';

  get redirectUrl(): string {
    return REDIRECT_URI;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'e2e OAuth client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    return this.stateValue;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.stored;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.stored = tokens;
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.stored = undefined;
    if (scope === 'all' || scope === 'client') this.information = undefined;
  }
}

/**
 * The browser's part: opens the authorization URL (which sends it to the portal's consent page),
 * lets the owner approve through the consent API the portal uses, and reads where the browser is sent back to.
 */
export async function approveInBrowser(
  running: RunningApp,
  authorizationUrl: URL | string,
  tools?: string[],
  approver: [string, string] = ['X-API-Key', running.env.apiKey],
): Promise<URL> {
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  if (consent.status !== 302) throw new Error(`authorize answered ${consent.status}: ${await consent.text()}`);
  const location = new URL(consent.headers.get('location') ?? '');
  const match = /^\/consent\/([0-9a-f-]{36})$/.exec(location.pathname);
  if (!match) return location; // an error sent straight back to the client
  const approved = await running
    .api()
    .post(`/api/oauth/authorizations/${match[1]}/approve`)
    .set(...approver)
    .send(tools ? { tools } : {});
  if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
  return new URL(approved.body.redirectTo);
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers a public client by hand (RFC 7591), for the security tests that bend the rules. */
export async function registerClient(baseUrl: string, redirectUris: string[] = [REDIRECT_URI]): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'manual client', redirect_uris: redirectUris }),
  });
  if (response.status !== 201) throw new Error(`register answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { client_id: string }).client_id;
}

export function authorizeUrl(baseUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(`${baseUrl}/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export async function tokenRequest(
  baseUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The code flow's authorization request of a public client with PKCE (S256); `params` add to or replace its parameters (undefined leaves one out). */
export function codeAuthorizeUrl(
  baseUrl: string,
  clientId: string,
  challenge: string,
  params: Record<string, string | undefined> = {},
): string {
  return authorizeUrl(baseUrl, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  });
}

/** Exchanges the code the browser was sent `back` with (RFC 6749 §4.1.3, with the PKCE verifier); `params` add e.g. `resource`. */
export function exchangeCode(
  baseUrl: string,
  clientId: string,
  back: URL,
  verifier: string,
  params: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return tokenRequest(baseUrl, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code') ?? '',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...params,
  });
}

/** A refresh token grant (RFC 6749 §6) for a public client. */
export function refreshGrant(
  baseUrl: string,
  refreshToken: unknown,
  clientId: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: String(refreshToken), client_id: clientId });
}

/**
 * The whole authorization code flow a remote client runs (registration, PKCE, consent in the portal, token) for `resource`;
 * `tools` narrows what the owner approves; `approver` is the credential that approves (default: the API key).
 */
export async function grantAccess(
  running: RunningApp,
  resource: string,
  tools?: string[],
  approver?: [string, string],
): Promise<{ clientId: string; access: string; refresh: string }> {
  const clientId = await registerClient(running.baseUrl);
  const { verifier, challenge } = pkce();
  const back = await approveInBrowser(
    running,
    codeAuthorizeUrl(running.baseUrl, clientId, challenge, { resource, state: 's' }),
    tools,
    approver,
  );
  const tokens = await exchangeCode(running.baseUrl, clientId, back, verifier, { resource });
  if (tokens.status !== 200) throw new Error(`token: ${JSON.stringify(tokens.body)}`);
  return { clientId, access: String(tokens.body['access_token']), refresh: String(tokens.body['refresh_token']) };
}
