import { asReads, freedByYoungCollections } from '../testing/young-collections';
import { encodeMessage, FRAMED_MESSAGE_MIN_BYTES, parseMessageBytes } from './framed-message';
import type { JsonRpcMessage } from './json-rpc';

function parsed(input: Buffer | Buffer[]): Record<string, unknown> & { params: Record<string, unknown> } {
  const result = parseMessageBytes(input);
  if (!result.ok || result.kind === 'batch') throw new Error('expected one valid message');
  return result.message as unknown as Record<string, unknown> & { params: Record<string, unknown> };
}

describe('large messages and the memory they hold', () => {
  it('leaves a dropped message to a young collection: its members read on demand keep nothing of it', async () => {
    const text = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'z'.repeat(8 << 20) } },
    });
    let pieces: Buffer[] | null = asReads(text);
    let message: ReturnType<typeof parsed> | null = parsed(pieces);
    pieces = null;
    // Read as routing reads it (not handed to expect(), which keeps what it was given until the test ends).
    const name = message.params['name'];
    message = null;
    expect(name).toBe('echo');
    expect(await freedByYoungCollections(6 << 20)).toBeGreaterThan(6 << 20);
  });

  it('reads, assigns and writes back members under hundreds of different names', () => {
    const params: Record<string, string> = { bulk: 'y'.repeat(FRAMED_MESSAGE_MIN_BYTES) };
    for (let index = 0; index < 300; index++) params[`member-${index}-${Math.random().toString(36).slice(2)}`] = `value ${index}`;
    const names = Object.keys(params);
    const message = parsed(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'x', params })));
    expect(names.map((name) => message.params[name])).toEqual(names.map((name) => params[name]));
    message.params[names[299]] = 'changed';
    const written = JSON.parse(encodeMessage(message as unknown as JsonRpcMessage).toString()) as { params: Record<string, string> };
    expect(written.params).toEqual({ ...params, [names[299]]: 'changed' });

    // Another message with the same names keeps its own values.
    const other = parsed(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'x', params: { ...params, [names[1]]: 'other' } })));
    expect(other.params[names[1]]).toBe('other');
    expect(message.params[names[1]]).toBe(params[names[1]]);
  });
});
