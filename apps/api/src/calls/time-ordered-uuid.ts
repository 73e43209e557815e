/**
 * UUID version 7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then random bits. Keys made in order sort
 * in order, so a table keyed by them grows at the end of its index. The random part is a version 4 UUID's
 * (`crypto.randomUUID`, drawn from a cached pool), with its version digit replaced; its variant bits stay valid.
 */
import { randomUUID } from 'node:crypto';

export function timeOrderedUuid(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; from index 15 on, random bits and valid variant bits.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
