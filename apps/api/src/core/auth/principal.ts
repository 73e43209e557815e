/** What a principal may do on the REST API: `admin` everything, `operator` run services but no secrets, `viewer` read only. */
export type Role = 'admin' | 'operator' | 'viewer';

/** Limits on the MCP data plane (client tokens, OAuth grants); an absent list means "all". */
export interface PrincipalScope {
  services?: string[];
  tools?: string[];
}

/**
 * Who made a request. `admin`: the API key; `session`: a UI session token minted from it;
 * `user`: a named user's session; `client`: a client token or an OAuth access token.
 */
export interface Principal {
  kind: 'admin' | 'session' | 'user' | 'client';
  /** Binds MCP sessions and rate limits to their owner: `admin` for the key, `session:<login id>` per UI login, … */
  id: string;
  role: Role;
  scope?: PrincipalScope;
  /** Who to name in the audit log (a user name, a token label); defaults to `id`. */
  label?: string;
  /** OAuth access tokens: the one resource URL (RFC 8707) the token was issued for. */
  audience?: string;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

/**
 * Turns a credential the built-in checks do not know (client tokens, OAuth access tokens, user
 * sessions) into a principal. Feature modules register theirs with `AuthService.addVerifier`,
 * so the core does not depend on them.
 */
export interface CredentialVerifier {
  verify(credential: string): Promise<Principal | null> | Principal | null;
}
