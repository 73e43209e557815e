import { HttpErrorResponse, HttpInterceptorFn, HttpStatusCode } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { isGatewayRequest, isLoginRequest, PORTAL_REQUEST_HEADER, PORTAL_REQUEST_VALUE } from '../api/api-paths';
import { AuthService, QUIET_UNAUTHORIZED } from './auth.service';
import { safeReturnUrl } from './return-url';

/**
 * Sends the session token with every request to the gateway (/api, /health, /metrics),
 * and ends the session when the API answers 401 to anything but the login call.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!isGatewayRequest(request.url)) return next(request);

  const auth = inject(AuthService);
  const router = inject(Router);
  const token = auth.token();
  // The header tells the API a state-changing request relying on the session cookie comes from the portal (no other site can set it).
  const headers: Record<string, string> = { [PORTAL_REQUEST_HEADER]: PORTAL_REQUEST_VALUE };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  const outgoing = request.clone({ setHeaders: headers });

  return next(outgoing).pipe(
    catchError((error: unknown) => {
      if (
        error instanceof HttpErrorResponse &&
        error.status === HttpStatusCode.Unauthorized &&
        !isLoginRequest(request.url) &&
        !request.context.get(QUIET_UNAUTHORIZED)
      ) {
        auth.logout();
        const returnUrl = safeReturnUrl(router.url);
        void router.navigate(['/login'], { queryParams: returnUrl ? { returnUrl } : {} });
      }
      return throwError(() => error);
    }),
  );
};
