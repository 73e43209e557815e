import { DOCUMENT } from '@angular/common';
import { InjectionToken, inject } from '@angular/core';

/** Where the UI session lives; sessionStorage so it ends with the browser tab. */
export const SESSION_STORAGE = new InjectionToken<Storage | null>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => {
    try {
      return inject(DOCUMENT).defaultView?.sessionStorage ?? null;
    } catch {
      // Storage can be disabled by browser policy; the session then lives in memory only.
      return null;
    }
  },
});

/** Current time in epoch milliseconds; replaced in tests. */
export const AUTH_CLOCK = new InjectionToken<() => number>('AUTH_CLOCK', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});

/** The sessionStorage key holding `{ token, expiresAt }` as JSON. */
export const TOKEN_STORAGE_KEY = 'mcp-proxy.token';
