import {
  encodeMessage,
  encodeMessageParts,
  FRAMED_MESSAGE_MIN_BYTES,
  onceWritten,
  parseMessageBytes,
  writtenCallback,
} from './framed-message';
import { type JsonRpcMessage, parseMessage } from './json-rpc';

const bulk = 'x'.repeat(FRAMED_MESSAGE_MIN_BYTES);

/** A parsed message, loosely typed so a test can read and change it like the proxy does. */
interface Loose {
  id: unknown;
  params: Record<string, unknown>;
  result: Record<string, unknown>;
}

function parsedOk(text: string): Loose {
  const parsed = parseMessageBytes(Buffer.from(text));
  if (!parsed.ok || parsed.kind === 'batch') throw new Error('expected one valid message');
  return parsed.message as unknown as Loose;
}

const wire = (message: Loose): string => encodeMessage(message as unknown as JsonRpcMessage).toString();

/** `bytes` cut at random places (inside UTF-8 sequences and escapes too), as socket and pipe reads would. */
function randomPieces(bytes: Buffer, random: () => number): Buffer[] {
  const cuts = new Set([0, bytes.length]);
  const count = 1 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) cuts.add(random() < 0.3 ? Math.floor(random() * 8) : Math.floor(random() * bytes.length));
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.slice(1).map((end, index) => Buffer.from(bytes.subarray(sorted[index], end)));
}

describe('parseMessageBytes / encodeMessage', () => {
  it('reads a large request by its envelope and writes it back around the same bytes, with a new id', () => {
    const text = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"${bulk}é"}}}`;
    const message = parsedOk(text);
    expect(message).toMatchObject({ jsonrpc: '2.0', id: 1, method: 'tools/call' });
    expect(message.params['name']).toBe('echo');
    message.id = 42;
    const encoded = encodeMessage(message as unknown as JsonRpcMessage);
    expect(Buffer.isBuffer(encoded)).toBe(true);
    expect(JSON.parse(encoded.toString())).toEqual({ ...JSON.parse(text), id: 42 });
  });

  it('relays a large result untouched under the client id, after reading a member of it', () => {
    const text = `{"jsonrpc":"2.0","id":"u-7","result":{"content":[{"type":"text","text":"${bulk}"}],"isError":false}}`;
    const message = parsedOk(text);
    expect(message.result['isError']).toBe(false);
    message.id = 'client-1';
    expect(JSON.parse(wire(message))).toEqual({ ...JSON.parse(text), id: 'client-1' });
  });

  it('serializes what the proxy changed: an assigned, added or deleted member', () => {
    const text = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","arguments":{"m":"${bulk}"}}}`;
    const renamed = parsedOk(text);
    renamed.params['name'] = 'b';
    expect(JSON.parse(wire(renamed)).params.name).toBe('b');
    const added = parsedOk(text);
    added.params['_meta'] = { progressToken: 'p1' };
    expect(JSON.parse(wire(added)).params._meta).toEqual({ progressToken: 'p1' });
    const removed = parsedOk(text);
    delete removed.params['arguments'];
    expect(JSON.parse(wire(removed)).params).toEqual({ name: 'a' });
  });

  it('a copy made with spread is a plain message', () => {
    const text = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","arguments":{"m":"${bulk}"}}}`;
    const message = parsedOk(text);
    const copy = { ...message, params: { ...message.params, name: 'b' } };
    expect(encodeMessage(copy as unknown as JsonRpcMessage)).toBe(JSON.stringify(copy));
  });

  it.each([
    ['bad JSON', `{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"${bulk}"}`],
    ['wrong version', `{"jsonrpc":"1.0","id":1,"method":"x","params":{"a":"${bulk}"}}`],
    ['scalar params', `{"jsonrpc":"2.0","id":1,"method":"x","params":"${bulk}"}`],
    ['result and error', `{"jsonrpc":"2.0","id":1,"result":{"a":"${bulk}"},"error":{"code":1,"message":"m"}}`],
    ['method not a string', `{"jsonrpc":"2.0","id":1,"method":3,"params":{"a":"${bulk}"}}`],
    ['object id', `{"jsonrpc":"2.0","id":{},"method":"x","params":{"a":"${bulk}"}}`],
    ['a batch', `[{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"${bulk}"}}]`],
    ['an extra member', `{"jsonrpc":"2.0","id":1,"method":"x","extra":true,"params":{"a":"${bulk}"}}`],
    ['repeated keys', `{"jsonrpc":"2.0","id":1,"id":2,"method":"x","params":{"a":"${bulk}","a":1}}`],
    ['small and fine', '{"jsonrpc":"2.0","id":1,"method":"x"}'],
  ])('gives the same verdict as parseMessage, in one piece or many: %s', (_name, text) => {
    const plain = parseMessage(text);
    const bytes = Buffer.from(text);
    const thirds = [
      bytes.subarray(0, bytes.length / 3),
      bytes.subarray(bytes.length / 3, 2 + bytes.length / 2),
      bytes.subarray(2 + bytes.length / 2),
    ];
    for (const framed of [parseMessageBytes(bytes), parseMessageBytes(thirds)]) {
      expect(framed.ok).toBe(plain.ok);
      if (!framed.ok && !plain.ok) {
        expect(framed.error.code).toBe(plain.error.code);
        expect(framed.id).toEqual(plain.id);
        if (plain.error.code !== -32700) expect(framed.error.message).toBe(plain.error.message);
      }
      if (framed.ok && plain.ok) expect(JSON.parse(JSON.stringify(framed))).toEqual(JSON.parse(JSON.stringify(plain)));
    }
  });

  it('keeps a message in pieces: written back as slices of them, still readable after other messages were parsed', () => {
    const text = `{"jsonrpc":"2.0","id":"s-1","result":{"content":[{"type":"text","text":"${bulk}"}],"isError":false}}`;
    const pieces = randomPieces(Buffer.from(text), () => 0.37);
    const parsed = parseMessageBytes(pieces);
    if (!parsed.ok || parsed.kind === 'batch') throw new Error('expected one valid message');
    const message = parsed.message as unknown as Loose;
    // Another large message goes through the scan in between (the scan's scratch buffer is reused).
    parsedOk(`{"jsonrpc":"2.0","id":2,"method":"x","params":{"other":"${'y'.repeat(2 * FRAMED_MESSAGE_MIN_BYTES)}"}}`);
    expect(message.result['content']).toEqual([{ type: 'text', text: bulk }]);
    message.id = 'client-9';
    const wireParts = encodeMessageParts(message as unknown as JsonRpcMessage);
    if (typeof wireParts === 'string') throw new Error('expected pieces');
    expect(JSON.parse(Buffer.concat(wireParts).toString())).toEqual({ ...JSON.parse(text), id: 'client-9' });
    // The bulk is the pieces' own memory, not a copy.
    const sources = new Set(pieces.map((piece) => piece.buffer));
    expect(wireParts.filter((part) => sources.has(part.buffer as ArrayBuffer)).reduce((sum, part) => sum + part.length, 0)).toBeGreaterThan(
      bulk.length,
    );
  });

  it('tells who waits for a large message once a transport has written it, once; a small one has nobody to tell', () => {
    const message = parsedOk(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', text: bulk } }));
    const written: string[] = [];
    expect(onceWritten(message as unknown as JsonRpcMessage, () => written.push('a'))).toBe(true);
    onceWritten(message as unknown as JsonRpcMessage, () => written.push('b'));
    message.id = 'upstream-7';
    const wire = encodeMessageParts(message as unknown as JsonRpcMessage);
    expect(written).toEqual([]);
    const done = writtenCallback(wire);
    done?.();
    done?.();
    expect(written).toEqual(['a', 'b']);

    const small = parsedOk('{"jsonrpc":"2.0","id":2,"method":"ping"}');
    expect(onceWritten(small as unknown as JsonRpcMessage, () => written.push('small'))).toBe(false);
    expect(writtenCallback(encodeMessageParts(small as unknown as JsonRpcMessage))).toBeUndefined();
    // A message the proxy changed is written as new JSON: its pieces are not what goes out, so nobody is told.
    const changed = parsedOk(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', text: bulk } }));
    changed.params['name'] = 'other';
    expect(onceWritten(changed as unknown as JsonRpcMessage, () => written.push('changed'))).toBe(false);
  });

  it('fuzz: random large messages read and write back as JSON.parse/stringify would', () => {
    let state = 7;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const strings = ['a', 'é', '😀', '\\"', '\\\\', '\\n', '\\u2028', '\\ud83d\\ude00', ' ', '{', ']'];
    const text = (length: number): string => Array.from({ length }, () => strings[Math.floor(random() * strings.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const big = `"${text(FRAMED_MESSAGE_MIN_BYTES / 2 + Math.floor(random() * 2000))}"`;
      const id = random() < 0.5 ? String(Math.floor(random() * 1000)) : `"${text(5)}"`;
      const sp = random() < 0.5 ? ' ' : '\n';
      const source =
        random() < 0.5
          ? `{${sp}"method":"tools/call",${sp}"params":{"_meta":{"progressToken":${id}},"arguments":{"m":[${big},{"k":${big}}]},"name":"${text(3)}"},"id":${id},"jsonrpc":"2.0"}`
          : `{"jsonrpc":"2.0","result":{"content":[${big}],${sp}"isError":${random() < 0.5}},${sp}"id":${id}}`;
      const message = parsedOk(source);
      expect(JSON.parse(JSON.stringify(message))).toEqual(JSON.parse(source));
      message.id = round;
      expect(JSON.parse(wire(message))).toEqual({ ...JSON.parse(source), id: round });
      // The same message as the pieces a socket could have delivered.
      const parsed = parseMessageBytes(randomPieces(Buffer.from(source), random));
      if (!parsed.ok || parsed.kind === 'batch') throw new Error(`round ${round}: pieces rejected`);
      const pieced = parsed.message as unknown as Loose;
      expect(JSON.parse(JSON.stringify(pieced))).toEqual(JSON.parse(source));
      pieced.id = round;
      expect(JSON.parse(wire(pieced))).toEqual({ ...JSON.parse(source), id: round });
    }
  });
});
