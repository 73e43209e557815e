/** A client token as listed: never the token itself, only its first characters to recognise it. */
export interface ClientTokenView {
  id: string;
  label: string;
  prefix: string;
  /** Null: every service. */
  services: string[] | null;
  /** Null: every tool. */
  tools: string[] | null;
  /** Work per minute over all services; null: none of its own (the services' limits still apply). */
  rateLimit: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The named user who created it, whose upstream OAuth connections it uses; null: made with the API key. */
  ownerUserId: string | null;
}

/** The answer to creating a token: the only time the token is shown. */
export interface CreatedClientTokenView extends ClientTokenView {
  token: string;
}
