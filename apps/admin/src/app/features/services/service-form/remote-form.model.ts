import type { RemoteAuthMode, RemoteConfigDto, RemoteConfigView, RemoteOAuthConnection, RemoteProtocol } from '@mcp-proxy/shared/dto';

// Written out rather than imported (the DTO barrel carries class-validator code); the types keep them in step.
export const REMOTE_PROTOCOLS: readonly RemoteProtocol[] = ['streamable-http', 'sse'];
export const REMOTE_AUTH_CHOICES: readonly { value: RemoteAuthMode; label: string }[] = [
  { value: 'headers', label: 'None, or the headers above' },
  { value: 'oauth', label: 'OAuth: sign in at the server' },
];
export const OAUTH_CONNECTION_CHOICES: readonly { value: RemoteOAuthConnection; label: string }[] = [
  { value: 'perUser', label: 'Per user: each caller connects their own account' },
  { value: 'shared', label: 'Shared: an admin connects one account for everyone' },
];
/** How the API shows a stored secret; sent back so, it keeps the stored one. */
export const MASKED = '********';

/** The remote section of the service form (`transport: remote` only). */
export interface RemoteFormValue {
  url: string;
  protocol: RemoteProtocol;
  /** `Name: value`, one a line; values may reference the environment as `${NAME}`. */
  headers: string;
  allowInsecureHttp: boolean;
  auth: RemoteAuthMode;
  /** The fields below: `auth: oauth` only. */
  connection: RemoteOAuthConnection;
  clientId: string;
  /** Write-only: empty keeps the stored secret (of the same client id); typed, it replaces it. */
  clientSecret: string;
  /** Space- or comma-separated; empty asks for what the server's metadata lists. */
  scopes: string;
}

export function emptyRemoteForm(): RemoteFormValue {
  return {
    url: '',
    protocol: 'streamable-http',
    headers: '',
    allowInsecureHttp: false,
    auth: 'headers',
    connection: 'perUser',
    clientId: '',
    clientSecret: '',
    scopes: '',
  };
}

/** The form for a stored remote; the client secret is never shown, not even masked. */
export function remoteFormFromView(view: RemoteConfigView | null): RemoteFormValue {
  if (!view) return emptyRemoteForm();
  return {
    url: view.url,
    protocol: view.protocol,
    // Literal values come back masked; sent back masked, the API keeps the stored value.
    headers: Object.entries(view.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
    allowInsecureHttp: view.allowInsecureHttp,
    auth: view.auth,
    connection: view.oauth?.connection ?? 'perUser',
    clientId: view.oauth?.clientId ?? '',
    clientSecret: '',
    scopes: (view.oauth?.scopes ?? []).join(' '),
  };
}

/** True when a client secret is stored for this client id (the form then says it is kept). */
export function hasStoredSecret(stored: RemoteConfigView | null, clientId: string): boolean {
  return !!stored?.oauth?.clientSecret && (stored.oauth.clientId ?? '') === clientId.trim();
}

/** The API body of the remote section; `stored` (editing) lets an untouched secret keep its stored value. */
export function remoteBody(value: RemoteFormValue, stored: RemoteConfigView | null): RemoteConfigDto {
  const body: RemoteConfigDto = {
    url: value.url.trim(),
    protocol: value.protocol,
    headers: parseHeaders(value.headers),
    allowInsecureHttp: value.allowInsecureHttp,
    auth: value.auth,
  };
  if (value.auth !== 'oauth') return body;
  const clientId = value.clientId.trim();
  const scopes = value.scopes.split(/[\s,]+/).filter((scope) => scope.length > 0);
  const secret = value.clientSecret || (clientId && hasStoredSecret(stored, clientId) ? MASKED : '');
  body.oauth = {
    connection: value.connection,
    ...(clientId ? { clientId } : {}),
    ...(clientId && secret ? { clientSecret: secret } : {}),
    ...(scopes.length > 0 ? { scopes } : {}),
  };
  return body;
}

/** True when the remote section differs from what is stored (a typed secret always does). */
export function remoteChanged(value: RemoteFormValue, stored: RemoteConfigView | null): boolean {
  if (!stored || value.clientSecret) return true;
  return JSON.stringify(remoteBody(value, stored)) !== JSON.stringify(remoteBody(remoteFormFromView(stored), stored));
}

/** `Name: value` lines → header map (blank lines dropped; the first colon splits). */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    const colon = trimmed.indexOf(':');
    if (colon <= 0) continue;
    headers[trimmed.slice(0, colon).trim()] = trimmed.slice(colon + 1).trim();
  }
  return headers;
}
