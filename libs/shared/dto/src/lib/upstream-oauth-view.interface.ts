import type { RemoteOAuthConnection } from './service.enums';

/**
 * The caller's connection to an upstream OAuth service (`remote.auth: "oauth"`), as the portal shows it.
 * Tokens are never part of it.
 */
export interface UpstreamConnectionView {
  serviceId: string;
  connection: RemoteOAuthConnection;
  connected: boolean;
  /** Who the upstream authorization server says the connection belongs to (`sub`), when it said. */
  subject: string | null;
  /** When the current access token expires (ISO 8601); refreshed before then when a refresh token was issued. */
  expiresAt: string | null;
  connectedAt: string | null;
  /** Where a browser starts (or renews) the connection. */
  connectUrl: string;
}
