import type { UserRole } from '@mcp-proxy/shared/dto';
import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthService } from './auth.service';
import { safeReturnUrl } from './return-url';

/** Lets signed-in users through; everybody else goes to /login (remembering where they were going). */
export const authGuard: CanActivateFn = (_route, state) => {
  if (inject(AuthService).isAuthenticated()) return true;
  const returnUrl = safeReturnUrl(state.url);
  return inject(Router).createUrlTree(['/login'], {
    queryParams: returnUrl ? { returnUrl } : {},
  });
};

/** Keeps signed-in users away from the login screen. */
export const guestGuard: CanActivateFn = () =>
  inject(AuthService).isAuthenticated() ? inject(Router).createUrlTree(['/dashboard']) : true;

/** Pages for a role and above (Users, Audit log): others land on the dashboard. */
export function roleGuard(required: UserRole): CanActivateFn {
  return () => inject(AuthService).allows(required) || inject(Router).createUrlTree(['/dashboard']);
}
