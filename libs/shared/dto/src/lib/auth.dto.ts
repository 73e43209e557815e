import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';

export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
/** `admin` everything, `operator` start/stop/deploy/logs but no secrets, `viewer` read only. */
export type UserRole = (typeof USER_ROLES)[number];

/** Either the admin API key, or a named user's `username` and `password`. */
export class LoginDto {
  /** The admin API key printed on first start (or set as `API_KEY`). */
  @ValidateIf((body: LoginDto) => body.username === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  apiKey?: string;

  @ValidateIf((body: LoginDto) => body.apiKey === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username?: string;

  @ValidateIf((body: LoginDto) => body.apiKey === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password?: string;
}

export interface LoginView {
  /** A UI session JWT to send as `Authorization: Bearer <token>`. */
  token: string;
  /** ISO-8601 time after which the token is refused. */
  expiresAt: string;
  role: UserRole;
  /** The signed-in user; absent for the API key holder. */
  username?: string;
}

/** `GET /api/auth/me`: who the current credential belongs to and what it may do. */
export interface PrincipalView {
  kind: 'admin' | 'session' | 'user' | 'client';
  /** A user name, a token label, or `admin`. */
  name: string;
  role: UserRole;
  /** Services this principal is limited to (ids), or null for all. */
  services: string[] | null;
}

/** `GET /api/auth/sessions`, `GET /api/users/:id/sessions`: one UI sign-in that still stands. */
export interface SessionView {
  id: string;
  /** The user's name, or `admin` for a session of the API key. */
  user: string;
  createdAt: string;
  /** Moved at most once a minute. */
  lastUsedAt: string;
  expiresAt: string;
  /** The address the sign-in came from (the socket's, or the client's behind a trusted proxy). */
  address: string | null;
  userAgent: string | null;
  /** The session of the credential that asked. */
  current: boolean;
}

/** `DELETE /api/users/:id/sessions`: how many sessions were ended. */
export interface EndedSessionsView {
  ended: number;
}

/** `GET /api/auth/sign-in-options` (no credential): what the login page offers. */
export interface SignInOptionsView {
  /** False with OIDC_ONLY: only the provider (and the API key) sign in. */
  password: boolean;
  /** The team's OpenID provider: its name for the button, and where the button leads. */
  provider: { name: string; startUrl: string } | null;
}
