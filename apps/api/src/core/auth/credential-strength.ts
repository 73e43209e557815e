/**
 * Tells a credential that cannot be guessed from one that could. The failed-authentication throttle
 * refuses guessable credentials up front once an address has failed too often, but always checks a
 * strong one: a guess can only match a secret of its own shape, and a strong secret is out of reach of
 * guessing, so checking it costs nothing in safety while sparing the rightful holder somebody else's
 * lock-out (clients behind one NAT or reverse proxy share an address).
 */

/** Below this estimate a credential counts as guessable (NIST's floor for a key is 112 bits). */
export const STRONG_CREDENTIAL_BITS = 112;

/** Client tokens (`mcpt_`) carry 32 random bytes in base64url. */
const CLIENT_TOKEN = /^mcpt_[A-Za-z0-9_-]{43}$/;
/** JWS compact form (UI session tokens, OAuth access tokens): three base64url parts, signature checked. */
const JWT = /^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}$/;

/** What an attempt presented, for counting: each shape has its own failure count per address. */
export type CredentialStrength = 'strong' | 'weak';

export function credentialStrength(credential: string): CredentialStrength {
  if (CLIENT_TOKEN.test(credential) || JWT.test(credential)) return 'strong';
  return estimatedBits(credential) >= STRONG_CREDENTIAL_BITS ? 'strong' : 'weak';
}

/**
 * A pessimistic estimate for an opaque key (the admin API key): length × log2 of the number of distinct
 * characters it uses. A random 32-character hex key scores about 120, the generated `mcp_…` key about
 * 170, a 16-character or repetitive one well under 112.
 */
export function estimatedBits(credential: string): number {
  const distinct = new Set(credential).size;
  return distinct < 2 ? 0 : credential.length * Math.log2(distinct);
}
