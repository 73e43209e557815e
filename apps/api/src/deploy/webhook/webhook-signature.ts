import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
export const EVENT_HEADER = 'x-github-event';
/** GitHub's id of one delivery (a GUID), the same when GitHub redelivers it. */
export const DELIVERY_HEADER = 'x-github-delivery';

/**
 * GitHub's `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body with the
 * webhook secret. Compared in constant time; anything missing or malformed is simply not valid.
 */
export function isValidSignature(rawBody: Buffer | undefined, header: string | undefined, secret: string | undefined): boolean {
  if (!rawBody || !header || !secret) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/** What a sender would put in the header (tests, and anyone checking their set-up). */
export function signatureOf(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
