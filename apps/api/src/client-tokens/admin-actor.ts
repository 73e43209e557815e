import { ForbiddenException } from '@nestjs/common';
import type { Principal, RequestWithPrincipal } from '../core/auth/principal';

/**
 * The principal behind a request that hands out access (tokens, consent): only an admin may.
 * Until roles are enforced centrally, the controllers that mint credentials check it themselves.
 */
export function adminActor(request: RequestWithPrincipal): Principal {
  const principal = request.principal;
  if (!principal || principal.role !== 'admin') throw new ForbiddenException('Only an admin can grant access to clients');
  return principal;
}

export function actorName(principal: Principal): string {
  return principal.label ?? principal.id;
}
