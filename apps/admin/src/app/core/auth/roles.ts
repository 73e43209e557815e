import type { UserRole } from '@mcp-proxy/shared/dto';

/** Least to most powerful, as the API orders them. */
const ROLE_ORDER: readonly UserRole[] = ['viewer', 'operator', 'admin'];

export function roleAllows(held: UserRole, required: UserRole): boolean {
  return ROLE_ORDER.indexOf(held) >= ROLE_ORDER.indexOf(required);
}

/** The tooltip or note on something a role cannot use. */
export function roleHint(required: UserRole): string {
  return required === 'admin' ? 'Only admins can do this' : `Needs the ${required} role or higher`;
}
