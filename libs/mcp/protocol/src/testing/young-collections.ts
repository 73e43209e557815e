import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * For specs that check what the collector can free: V8's `gc`, without a global one every module could
 * call (the flag only equips a new context). `{ type: 'minor' }` runs a young-generation collection.
 */
setFlagsFromString('--expose-gc');
export const collect = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

/** `text` as the pieces a socket or pipe delivers it in (64 KiB reads), each a buffer of its own. */
export function asReads(text: string): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < text.length; at += 65536) pieces.push(Buffer.from(text.slice(at, at + 65536)));
  return pieces;
}

/**
 * Bytes of array buffers two young collections free. Backing stores are freed by a sweeper running
 * beside the collector: this waits up to a second for `expected` of them to go.
 */
export async function freedByYoungCollections(expected: number): Promise<number> {
  const held = process.memoryUsage().arrayBuffers;
  collect({ type: 'minor' });
  collect({ type: 'minor' });
  for (let tries = 0; tries < 50 && held - process.memoryUsage().arrayBuffers < expected; tries++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return held - process.memoryUsage().arrayBuffers;
}
