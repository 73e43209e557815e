import { createHash, randomBytes } from 'node:crypto';

/** A random token with a recognisable prefix (secret scanners and our verifier can tell it apart). */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** What is stored instead of a token: tokens are 256-bit random, so a plain SHA-256 is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
