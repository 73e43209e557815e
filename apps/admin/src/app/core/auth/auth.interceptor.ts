import { HttpErrorResponse, HttpInterceptorFn, HttpStatusCode } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { isGatewayRequest, isLoginRequest } from '../api/api-paths';
import { AuthService } from './auth.service';
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
  const outgoing = token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;

  return next(outgoing).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === HttpStatusCode.Unauthorized && !isLoginRequest(request.url)) {
        auth.logout();
        const returnUrl = safeReturnUrl(router.url);
        void router.navigate(['/login'], { queryParams: returnUrl ? { returnUrl } : {} });
      }
      return throwError(() => error);
    }),
  );
};
