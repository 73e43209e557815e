import type { UserRole } from '@mcp-proxy/shared/dto';
import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { map } from 'rxjs';
import { AuthService } from './auth.service';
import { safeReturnUrl } from './return-url';

/**
 * Lets signed-in users through, including a tab that finds the session cookie of a sign-in made in
 * another tab; everybody else goes to /login (remembering where they were going).
 */
export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  if (auth.isAuthenticated()) return true;
  const router = inject(Router);
  const returnUrl = safeReturnUrl(state.url);
  return auth.resume().pipe(map((resumed) => resumed || router.createUrlTree(['/login'], { queryParams: returnUrl ? { returnUrl } : {} })));
};

/** Keeps signed-in users away from the login screen. */
export const guestGuard: CanActivateFn = () =>
  inject(AuthService).isAuthenticated() ? inject(Router).createUrlTree(['/dashboard']) : true;

/** Pages for a role and above (Users, Audit log): others land on the dashboard. */
export function roleGuard(required: UserRole): CanActivateFn {
  return () => inject(AuthService).allows(required) || inject(Router).createUrlTree(['/dashboard']);
}
