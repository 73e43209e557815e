/** Where the HTTPS certificate comes from (`SSL_PROVIDER`). */
export const CERT_PROVIDERS = ['self-signed', 'letsencrypt'] as const;
export type CertProvider = (typeof CERT_PROVIDERS)[number];

/** What the HTTPS listener presents: a certificate from the ACME directory, or the self-signed one. */
export type CertSource = 'acme' | 'self-signed';

/** How the ACME directory checks that we control the domain. */
export type AcmeChallengeType = 'http-01' | 'dns-01';

/** `GET /api/certs/status` (and the answer of `POST /api/certs/renew`). Times are ISO 8601. */
export interface CertStatusView {
  /** `SSL_ENABLED`: without it nothing below is in use. */
  enabled: boolean;
  provider: CertProvider;
  /** `DOMAIN`, or null (the self-signed certificate is then for localhost). */
  domain: string | null;
  /** Names the served certificate covers. */
  altNames: string[];
  /** What is served now, or null when TLS is off. */
  serving: CertSource | null;
  /** Why the self-signed certificate stands in for the ACME one (first order pending, or failing). */
  fallbackReason: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  /** When the served certificate is due for renewal (30 days before expiry, a third of its life for short ones). */
  renewAt: string | null;
  /** ACME only: the directory and the challenge used. */
  directoryUrl: string | null;
  challenge: AcmeChallengeType | null;
  /** An order (or a self-signed generation) is running now. */
  renewing: boolean;
  lastRenewedAt: string | null;
  /** The last failure, in words the user can act on; cleared by the next success. */
  lastError: string | null;
  /** Failed attempts in a row; retries back off. */
  failures: number;
  /** Next scheduled check or retry. */
  nextCheckAt: string | null;
}

/** In-process news when a new certificate is in use. */
export const CERT_RENEWED_EVENT = 'cert.renewed';
