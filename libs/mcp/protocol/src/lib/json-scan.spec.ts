import { scanJsonEnvelope, type JsonEnvelopeScan } from './json-scan';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');

function scanned(text: string): JsonEnvelopeScan {
  const result = scanJsonEnvelope(bytesOf(text));
  if (!result.ok) throw new Error(`expected valid JSON: ${result.reason}`);
  return result;
}

function member(text: string, map: Map<string, { start: number; end: number }> | null, key: string): unknown {
  const range = map?.get(key);
  if (!range) return undefined;
  return JSON.parse(bytesOf(text).toString('utf8', range.start, range.end));
}

/** Random JSON text, with escapes, non-ASCII, surrogate pairs, deep nesting, repeated keys and odd whitespace. */
function randomJson(random: () => number, depth = 0): string {
  const ws = (): string => [' ', '', '\n', '\t', '\r\n', ''][Math.floor(random() * 6)];
  const pick = random();
  if (depth > 6 || pick < 0.35) {
    const scalars = [
      () => JSON.stringify(randomString(random)),
      () => String(Math.floor(random() * 1e6) - 5e5),
      () => (random() * 1e3).toExponential(3),
      () => '-0.5e-3',
      () => 'true',
      () => 'false',
      () => 'null',
      () => '"\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/\\b\\f\\r\\t\\uD800"',
    ];
    return scalars[Math.floor(random() * scalars.length)]();
  }
  if (pick < 0.6) {
    const items = Array.from({ length: Math.floor(random() * 4) }, () => ws() + randomJson(random, depth + 1) + ws());
    return `[${items.join(',')}]`;
  }
  const keys = ['id', 'name', 'a', 'é', '\\u0069d', 'params', 'x y'];
  const members = Array.from(
    { length: Math.floor(random() * 4) },
    () => `${ws()}"${keys[Math.floor(random() * keys.length)]}"${ws()}:${ws()}${randomJson(random, depth + 1)}${ws()}`,
  );
  return `{${members.join(',')}}`;
}

function randomString(random: () => number): string {
  const alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\u0001', 'é', '€', '😀', '\u2028', '{', '}', ':', ','];
  return Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

/** A small seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('scanJsonEnvelope', () => {
  it('finds the envelope of a request and the members of its params', () => {
    const text =
      '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"},"_meta":{"progressToken":"t1"}}}';
    const scan = scanned(text);
    expect(scan.topIsObject).toBe(true);
    expect([...scan.members.keys()]).toEqual(['jsonrpc', 'id', 'method', 'params']);
    expect(member(text, scan.members, 'id')).toBe(7);
    expect(member(text, scan.members, 'method')).toBe('tools/call');
    expect(member(text, scan.params, 'name')).toBe('echo');
    expect(member(text, scan.params, '_meta')).toEqual({ progressToken: 't1' });
    expect(scan.result).toBeNull();
    expect(scan.duplicateKeys).toBe(false);
  });

  it('finds a response result and its members, whatever the whitespace', () => {
    const text = ' {\n "id" : "a\\"b" ,\t"jsonrpc":"2.0" , "result" : { "content" : [ ] , "isError" : false } }\r\n';
    const scan = scanned(text);
    expect(member(text, scan.members, 'id')).toBe('a"b');
    expect(member(text, scan.result, 'isError')).toBe(false);
    expect(member(text, scan.result, 'content')).toEqual([]);
  });

  it('reads escaped keys as JSON.parse does, counts offsets in bytes', () => {
    const text = '{"\\u0069d":"é😀","jsonrpc":"2.0","result":{"n\\u0061me":"ü"}}';
    const scan = scanned(text);
    expect(member(text, scan.members, 'id')).toBe('é😀');
    expect(member(text, scan.result, 'name')).toBe('ü');
  });

  it('reports repeated keys and keeps the last value, as JSON.parse does', () => {
    const text = '{"id":1,"id":2,"params":{"name":"a","name":"b"}}';
    const scan = scanned(text);
    expect(scan.duplicateKeys).toBe(true);
    expect(member(text, scan.members, 'id')).toBe(2);
    expect(member(text, scan.params, 'name')).toBe('b');
  });

  it('records params only when the last params member is an object', () => {
    expect(scanned('{"params":{"a":1},"params":[1]}').params).toBeNull();
    expect(scanned('{"params":[1],"params":{"a":1}}').params?.has('a')).toBe(true);
    expect(scanned('{"x":{"params":{"a":1}}}').params).toBeNull();
  });

  it('takes any nesting depth without recursion', () => {
    const deep = `{"result":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(scanJsonEnvelope(bytesOf(deep)).ok).toBe(true);
    expect(scanJsonEnvelope(bytesOf(`{"result":${'['.repeat(100_000)}}`)).ok).toBe(false);
  });

  it('knows a top-level value that is not an object', () => {
    expect(scanned('[{"id":1}]').topIsObject).toBe(false);
    expect(scanned('"text"').topIsObject).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['trailing comma in object', '{"a":1,}'],
    ['trailing comma in array', '[1,]'],
    ['missing colon', '{"a" 1}'],
    ['single quotes', "{'a':1}"],
    ['unquoted key', '{a:1}'],
    ['leading zero', '{"a":01}'],
    ['bare minus', '{"a":-}'],
    ['dot without digits', '{"a":1.}'],
    ['exponent without digits', '{"a":1e}'],
    ['plus sign', '{"a":+1}'],
    ['NaN', '{"a":NaN}'],
    ['bad literal', '{"a":tru}'],
    ['unterminated string', '{"a":"abc}'],
    ['raw newline in string', '{"a":"a\nb"}'],
    ['bad escape', '{"a":"\\x41"}'],
    ['short unicode escape', '{"a":"\\u12"}'],
    ['two values', '{"a":1} {"b":2}'],
    ['unclosed object', '{"a":1'],
    ['mismatched brackets', '{"a":[1}'],
    ['comment', '{"a":1 /* no */}'],
    ['byte order mark', '\ufeff{"a":1}'],
  ])('rejects %s', (_name, text) => {
    expect(scanJsonEnvelope(bytesOf(text)).ok).toBe(false);
    expect(parses(text)).toBe(false);
  });

  it('fuzz: random JSON scans as JSON.parse reads it', () => {
    const random = seeded(24);
    for (let round = 0; round < 3000; round++) {
      const text = randomJson(random);
      const scan = scanJsonEnvelope(bytesOf(text));
      expect({ text, ok: scan.ok }).toEqual({ text, ok: true });
      const value: unknown = JSON.parse(text);
      if (!scan.ok || !scan.topIsObject) continue;
      const object = value as Record<string, unknown>;
      expect([...scan.members.keys()].sort()).toEqual(Object.keys(object).sort());
      for (const key of scan.members.keys()) expect(member(text, scan.members, key)).toEqual(object[key]);
      const params = object['params'];
      if (params && typeof params === 'object' && !Array.isArray(params)) {
        for (const key of Object.keys(params)) expect(member(text, scan.params, key)).toEqual((params as Record<string, unknown>)[key]);
      } else expect(scan.params).toBeNull();
    }
  });

  it('fuzz: a corrupted text is rejected exactly when JSON.parse rejects it', () => {
    const random = seeded(2024);
    const noise = ['"', '\\', '{', '}', '[', ']', ',', ':', '\n', '\u0000', 'x', '0', '-', 'e', ' ', 'é'];
    for (let round = 0; round < 5000; round++) {
      const text = randomJson(random);
      const at = Math.floor(random() * (text.length + 1));
      const corrupt =
        random() < 0.5
          ? text.slice(0, at) + noise[Math.floor(random() * noise.length)] + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
      const scan = scanJsonEnvelope(bytesOf(corrupt));
      expect({ corrupt, ok: scan.ok }).toEqual({ corrupt, ok: parses(corrupt) });
    }
  });
});
