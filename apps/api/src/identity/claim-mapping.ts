import type { RoleMapping } from '../core/config/env.schema';
import { ROLE_ORDER, Role } from '../core/auth/principal';

/** Claims of a signed-in person: the ID token's, completed by the UserInfo answer. */
export type Claims = Record<string, unknown>;

/** The value at a claim name, or a dotted path into nested claims (`realm_access.roles`); a claim whose own name has dots wins. */
export function claimAt(claims: Claims, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A claim as a list of strings: an array's strings, or a string split at spaces and commas (`scope`-style claims). */
export function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/**
 * The role the mappings give these claims: the highest role among the entries whose value the claim holds,
 * `*` matching anyone. Null when nothing matches: the sign-in is refused, never given a role by default.
 * Group names are compared exactly, and also by their last path segment (Keycloak sends `/mcp-admins`).
 */
export function roleFor(claims: Claims, claim: string, mappings: readonly RoleMapping[]): Role | null {
  const held = new Set(claimValues(claimAt(claims, claim)).flatMap((value) => [value, value.replace(/^.*\//, '')]));
  let best: Role | null = null;
  for (const mapping of mappings) {
    if (mapping.value !== '*' && !held.has(mapping.value)) continue;
    if (best === null || ROLE_ORDER.indexOf(mapping.role) > ROLE_ORDER.indexOf(best)) best = mapping.role;
  }
  return best;
}

/**
 * The services a claim limits the user to (names or ids, `*` for all), or undefined when no claim is
 * configured. A configured claim that is missing limits the user to no service at all: a provider that
 * forgot it must not open everything.
 */
export function servicesFrom(claims: Claims, claim: string | undefined): string[] | null | undefined {
  if (!claim) return undefined;
  const values = claimValues(claimAt(claims, claim));
  return values.includes('*') ? null : values;
}

/** A name to suggest for a new user: preferred_username, else the e-mail, else the name. */
export function suggestedName(claims: Claims): string | null {
  for (const key of ['preferred_username', 'email', 'name']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
