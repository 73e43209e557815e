import { createHash } from 'node:crypto';

/** Characters MCP allows in tool, prompt and template names; anything else becomes `_`. */
const UNSAFE = /[^A-Za-z0-9_.-]/g;
export const MAX_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The name a member's tool (or prompt, or resource template) has in a group: `<service><sep><name>`,
 * always prefixed, so two members can never collide. When the result breaks the MCP name rules it is
 * made safe and, if that changed it or it is too long, given a hash of the original pair, so distinct
 * originals stay distinct and the same original always gets the same name.
 */
export function exposedName(service: string, name: string, separator = '__'): string {
  const joined = `${service}${separator}${name}`;
  const safe = joined.replace(UNSAFE, '_');
  if (safe === joined && safe.length <= MAX_NAME_LENGTH) return safe;
  const hash = createHash('sha256').update(`${service}\u0000${name}`).digest('hex').slice(0, HASH_LENGTH);
  return `${safe.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}
