import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import type { Provider, EnvironmentProviders } from '@angular/core';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { authInterceptor } from '../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../core/auth/auth.tokens';
import { createTestClock } from './fixtures';

/** A page spec's providers: the API client with its auth interceptor over HttpTestingController, a fixed clock, no animations. */
export function pageProviders(): (Provider | EnvironmentProviders)[] {
  return [
    provideHttpClient(withInterceptors([authInterceptor])),
    provideHttpClientTesting(),
    { provide: AUTH_CLOCK, useValue: createTestClock().now },
    { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
  ];
}
