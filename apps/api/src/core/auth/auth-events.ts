/**
 * Authentication news (through @nestjs/event-emitter): the audit log listens, so the core need not
 * know it exists.
 */
export const AUTH_EVENTS = {
  /** A request was turned away (401 no/wrong credential, 403 not allowed); payload: AuthRefusal. */
  refused: 'auth.refused',
  /** A login attempt, successful or not; payload: AuthLogin. */
  login: 'auth.login',
  /**
   * A credential was revoked or a principal changed here (a token or grant revoked or changed, a user
   * changed or deleted, a UI session ended): every instance forgets the credentials it verified
   * (credential-news.ts) and open streams re-check theirs now instead of at the next pass. Emit it
   * with `await emitAsync` after the change is stored: the other instances are told before the answer.
   */
  changed: 'auth.changed',
} as const;

export interface AuthRefusal {
  status: 401 | 403;
  method: string;
  /** The path without its query string (which may carry a token). */
  path: string;
  address: string;
  reason: string;
  /** Known for a 403: who was refused. */
  actor?: { id: string; kind: string; label?: string };
  /** The service (or other record) the call named, when the route has one. */
  target?: string;
}

export interface AuthLogin {
  ok: boolean;
  /** `apiKey`, `password`, … */
  method: string;
  address: string;
  /** Who logged in, or the user name tried. */
  actor: string | null;
  actorKind: string;
  /** Why a sign-in was refused, when more can be said than "wrong credential" (never a secret). */
  reason?: string;
}
