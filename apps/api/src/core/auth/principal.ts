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
  /** UI session tokens: the session's id (what logout ends, what the session list marks as current). */
  sessionId?: string;
  /** Client tokens with a limit of their own: work per minute over all services. */
  rateLimit?: number;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

/** A verifier's answer: who the credential stands for, and when the credential itself expires (ms since the epoch), if it does. */
export interface Verified {
  principal: Principal;
  expiresAt?: number;
}

/**
 * Turns a credential into a principal, or null when it is not one of its kind or no longer stands.
 * Every verifier, and the order they are tried in, is listed in credential-registry.ts.
 */
export interface CredentialVerifier {
  verify(credential: string): Promise<Verified | null>;
}

/** Client tokens and OAuth access tokens open the MCP endpoints only: never the management API nor the live gateway. */
export function isManagementPrincipal(principal: Principal): boolean {
  return principal.kind !== 'client';
}

/** A named user's id (what `user:<id>` names); null for the API key, UI sessions opened with it and clients. */
export function userIdOf(principal: Principal): string | null {
  return principal.kind === 'user' && principal.id.startsWith('user:') ? principal.id.slice('user:'.length) : null;
}

/** Ordered from least to most powerful: a role may do everything the roles before it may. */
export const ROLE_ORDER: readonly Role[] = ['viewer', 'operator', 'admin'];

export function roleAllows(held: Role, required: Role): boolean {
  return ROLE_ORDER.indexOf(held) >= ROLE_ORDER.indexOf(required);
}

/**
 * Whether the principal may only look on the MCP endpoints: open a session, ping and list, never make a
 * server act (proxy/scope/tool-scope.ts says which methods that leaves). A named viewer is trusted to look,
 * and its UI session token reaches `/mcp` too (the portal's Try-it panel). Client tokens and OAuth grants
 * carry the role `viewer` only to keep them off the management API: calling MCP is what they are for.
 */
export function mayOnlyListMcp(principal: Principal): boolean {
  return principal.kind === 'user' && principal.role === 'viewer';
}

/** Who decided, as a record names them: a user's or a token's label, `admin` for the API key and the UI sessions opened with it. */
export function deciderName(principal: Principal): string {
  return principal.label ?? (principal.kind === 'admin' || principal.kind === 'session' ? 'admin' : principal.id);
}

/** Whether a principal limited to some services may touch this one (given by id and by name). */
export function scopeAllowsService(principal: Principal, ...keys: string[]): boolean {
  const allowed = principal.scope?.services;
  return !allowed || keys.some((key) => allowed.includes(key));
}

/** Whether the principal may see this service, known by id and name (lists are filtered with it). */
export function scopeShowsService(principal: Principal | undefined, service: { id: string; name: string }): boolean {
  return !principal || scopeAllowsService(principal, service.id, service.name);
}

/**
 * Whether the principal may see a group. A group's view, mapping and tools name every member, so
 * a principal limited to some services sees a group only when all its members are among them;
 * hiding just the foreign members would still show a group they cannot use.
 */
export function scopeShowsGroup(principal: Principal | undefined, members: readonly { serviceId: string; serviceName: string }[]): boolean {
  return members.every((member) => scopeShowsService(principal, { id: member.serviceId, name: member.serviceName }));
}

/**
 * Named users with passwords (the users module's UsersService), handed to the core through
 * CREDENTIAL_VERIFIERS (credential-registry.ts). `principalFor` is asked whenever a user session is
 * verified, so a deleted user or a changed role or limit takes effect with the change's news.
 */
export interface UserDirectory {
  authenticate(username: string, password: string): Promise<{ userId: string; username: string; role: Role } | null>;
  principalFor(userId: string): Promise<Principal | null>;
}
