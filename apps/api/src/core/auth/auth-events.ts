import type { Principal, Role } from './principal';

/** In-process news from the auth core; the audit log records them (the core does not import it). */
export const AUTH_EVENTS = {
  login: 'auth.login',
  refused: 'auth.refused',
} as const;

export interface LoginAttemptEvent {
  /** The user name given, or `admin` for the API key. */
  actor: string;
  address: string;
  method: 'api-key' | 'password';
  outcome: 'success' | 'failure';
}

export interface RefusedRequestEvent {
  principal: Principal;
  address: string;
  /** `METHOD /path` of the refused call. */
  action: string;
  /** The service (or other record) the call was about, when the route names one. */
  target?: string;
  reason: string;
}
