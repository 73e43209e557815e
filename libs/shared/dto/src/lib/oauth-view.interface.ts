/** A pending OAuth authorization request, as the consent screen shows it. */
export interface ConsentRequestView {
  id: string;
  clientId: string;
  clientName: string;
  /** Where the browser goes back to; the owner should recognise it. */
  redirectUri: string;
  serviceId: string;
  serviceName: string;
  resource: string;
  scope: string | null;
  status: 'pending' | 'approved' | 'denied';
  expiresAt: string;
}

/** Where the consent screen sends the browser after an answer (the client's redirect URI with code or error). */
export interface ConsentDecisionView {
  redirectTo: string;
}

/** An OAuth grant (one client, one service), as the admin lists it. */
export interface OAuthGrantView {
  id: string;
  clientId: string;
  clientName: string;
  serviceId: string;
  resource: string;
  tools: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}
