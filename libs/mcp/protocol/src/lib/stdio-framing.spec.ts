import { DEFAULT_MAX_LINE_BYTES, encodeLine, LineSplitter, splitLines } from './stdio-framing';

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

/** Split `data` into chunks at the given byte offsets. */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(data.subarray(prev, o));
    prev = o;
  }
  out.push(data.subarray(prev));
  return out;
}

describe('LineSplitter basics', () => {
  it.each([
    ['single line', ['{"a":1}\n'], ['{"a":1}']],
    ['two lines in one chunk', ['a\nb\n'], ['a', 'b']],
    ['CRLF terminators', ['a\r\nb\r\n'], ['a', 'b']],
    ['mixed LF / CRLF', ['a\nb\r\nc\n'], ['a', 'b', 'c']],
    ['CR split from LF across chunks', ['a\r', '\nb\n'], ['a', 'b']],
    ['lone CR inside a line is kept', ['a\rb\n'], ['a\rb']],
    ['empty lines skipped', ['\n\n{"x":1}\n\r\n\n'], ['{"x":1}']],
    ['whitespace-only lines skipped', ['  \n\t\r\n {"x":1} \n'], [' {"x":1} ']],
    ['missing final newline flushed at end', ['a\nb'], ['a', 'b']],
    ['final line ending in CR without LF', ['a\r'], ['a']],
    ['byte-per-chunk', 'x\ny\n'.split(''), ['x', 'y']],
    ['empty chunks are harmless', ['', 'a', '', '\n', ''], ['a']],
    ['newline at chunk start completes previous line', ['abc', '\ndef', '\n'], ['abc', 'def']],
  ])('%s', (_name, chunks, expected) => {
    expect(splitLines(chunks.map(bytes)).lines).toEqual(expected);
  });

  it('emitBlankLines delivers empty and whitespace lines', () => {
    expect(splitLines(['\na\r\n \n'].map(bytes), { emitBlankLines: true }).lines).toEqual(['', 'a', ' ']);
  });

  it('drops a UTF-8 BOM at the start of a line', () => {
    const data = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":1}\n')]);
    expect(splitLines([data]).lines).toEqual(['{"a":1}']);
  });

  it('replaces invalid UTF-8 with U+FFFD instead of throwing', () => {
    const data = new Uint8Array([0x61, 0xff, 0x62, 0x0a]);
    expect(splitLines([data]).lines).toEqual(['a\uFFFDb']);
  });

  it('accepts Node Buffers', () => {
    expect(splitLines([Buffer.from('x\n'), Buffer.from('y\n')]).lines).toEqual(['x', 'y']);
  });

  it('push after end throws; reset makes it reusable', () => {
    const lines: string[] = [];
    const s = new LineSplitter({ onLine: (l) => lines.push(l) });
    s.push(bytes('partial'));
    expect(s.bufferedBytes).toBe(7);
    s.end();
    expect(() => s.push(bytes('x'))).toThrow();
    s.reset();
    s.push(bytes('again\n'));
    expect(lines).toEqual(['partial', 'again']);
    expect(s.bufferedBytes).toBe(0);
  });

  it('end() is idempotent', () => {
    const lines: string[] = [];
    const s = new LineSplitter({ onLine: (l) => lines.push(l) });
    s.push(bytes('a'));
    s.end();
    s.end();
    expect(lines).toEqual(['a']);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxLineBytes=%p', (max) => {
    expect(() => new LineSplitter({ onLine: () => undefined, maxLineBytes: max })).toThrow(RangeError);
  });

  it('has a generous default limit', () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBeGreaterThanOrEqual(10 * 1024 * 1024);
  });
});

describe('LineSplitter with multi-byte UTF-8 split at every byte position', () => {
  const messages = [
    { jsonrpc: '2.0', id: 1, result: { text: 'é ü ß' } }, // 2-byte
    { jsonrpc: '2.0', id: 2, result: { text: '€ 中文 ✓' } }, // 3-byte
    { jsonrpc: '2.0', id: 3, result: { text: '😀 𝄞 🚀' } }, // 4-byte (surrogate pairs)
    {
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { data: 'mixed é€😀\u2028' },
    },
  ];
  const stream = bytes(messages.map((m) => encodeLine(m)).join(''));
  const expected = messages.map((m) => JSON.stringify(m));

  it('two-chunk split at every position', () => {
    for (let i = 0; i <= stream.length; i++) {
      const { lines } = splitLines(cut(stream, [i]));
      expect(lines).toEqual(expected);
    }
  });

  it('three-chunk split at every pair of positions of one 4-byte-char message', () => {
    const one = bytes(encodeLine(messages[2]));
    for (let i = 0; i <= one.length; i++) {
      for (let j = i; j <= one.length; j++) {
        expect(splitLines(cut(one, [i, j])).lines).toEqual([expected[2]]);
      }
    }
  });

  it('one byte at a time', () => {
    const chunks = Array.from(stream, (b) => new Uint8Array([b]));
    expect(splitLines(chunks).lines).toEqual(expected);
  });

  it('CRLF variant split at every position', () => {
    const crlf = bytes(expected.join('\r\n') + '\r\n');
    for (let i = 0; i <= crlf.length; i++) {
      expect(splitLines(cut(crlf, [i])).lines).toEqual(expected);
    }
  });
});

describe('LineSplitter oversize handling', () => {
  const run = (chunks: string[], maxLineBytes: number) => splitLines(chunks.map(bytes), { maxLineBytes });

  it.each([
    ['exactly at the limit passes', ['0123456789\n'], 10, ['0123456789'], 0],
    ['limit counts bytes, not chars', ['ééééé\n'], 10, ['ééééé'], 0],
    ['one byte over in a single chunk', ['0123456789A\nok\n'], 10, ['ok'], 1],
    ['multi-byte over the limit', ['éééééé\nok\n'], 10, ['ok'], 1],
    ['CRLF does not count toward the limit', ['0123456789\r\n'], 10, ['0123456789'], 0],
    ['CR at chunk end, LF in next chunk, at the limit', ['0123456789\r', '\n'], 10, ['0123456789'], 0],
    ['CR at chunk end followed by data is over', ['0123456789\r', 'x\nok\n'], 10, ['ok'], 1],
    ['over the limit across chunks, resync at newline', ['01234', '56789', 'ABC', 'DEF\nok\n'], 10, ['ok'], 1],
    ['limit crossed by a pending tail, newline in later chunk', ['0123456789AB', 'CD', '\n', 'next\n'], 10, ['next'], 1],
    ['oversize tail at end of input is dropped', ['ok\n0123456789ABCDEF'], 10, ['ok'], 1],
    ['several oversize lines, each reported once', ['x'.repeat(20) + '\n', 'y'.repeat(30), '\nz\n'], 10, ['z'], 2],
    ['short lines around an oversize one', ['a\n' + 'b'.repeat(50) + '\nc\n'], 10, ['a', 'c'], 1],
  ])('%s', (_name, chunks, max, lines, oversizeCount) => {
    const r = run(chunks, max);
    expect(r.lines).toEqual(lines);
    expect(r.oversize).toHaveLength(oversizeCount);
    for (const o of r.oversize) {
      expect(o.limit).toBe(max);
      expect(o.bytesSeen).toBeGreaterThan(max);
    }
  });

  it('does not keep buffering while discarding', () => {
    const s = new LineSplitter({ onLine: () => undefined, maxLineBytes: 8 });
    s.push(bytes('0123456789'));
    expect(s.bufferedBytes).toBe(0);
    s.push(bytes('x'.repeat(1000)));
    expect(s.bufferedBytes).toBe(0);
  });

  it('reports oversize as soon as the limit is crossed', () => {
    const events: number[] = [];
    const s = new LineSplitter({
      onLine: () => undefined,
      onOversize: (o) => events.push(o.bytesSeen),
      maxLineBytes: 8,
    });
    s.push(bytes('01234'));
    expect(events).toEqual([]);
    s.push(bytes('56789'));
    expect(events).toEqual([10]);
  });
});

describe('LineSplitter performance', () => {
  it.each([
    ['1 MB line in 1 KB chunks', 1 << 20, 1024],
    ['10 MB line in 64 KB chunks', 10 << 20, 64 * 1024],
    ['10 MB line in 4 KB chunks', 10 << 20, 4 * 1024],
  ])('%s is linear', (_name, size, chunkSize) => {
    const payload = 'a'.repeat(size - 40);
    const line = bytes(encodeLine({ jsonrpc: '2.0', id: 1, result: { t: payload } }));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < line.length; i += chunkSize) chunks.push(line.subarray(i, i + chunkSize));
    const started = Date.now();
    const { lines } = splitLines(chunks);
    const elapsed = Date.now() - started;
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBe(line.length - 1);
    expect(elapsed).toBeLessThan(2000);
  });

  it('many small lines in one big chunk', () => {
    const n = 50_000;
    const text = Array.from({ length: n }, (_, i) => encodeLine({ jsonrpc: '2.0', method: 'n', params: { i } })).join('');
    const { lines } = splitLines([bytes(text)]);
    expect(lines).toHaveLength(n);
    expect(JSON.parse(lines[n - 1])).toEqual({
      jsonrpc: '2.0',
      method: 'n',
      params: { i: n - 1 },
    });
  });
});

describe('encodeLine', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }, '{"jsonrpc":"2.0","id":1,"method":"ping"}\n'],
    [{ s: 'a\nb\r\nc' }, '{"s":"a\\nb\\r\\nc"}\n'],
    [{ s: '€😀' }, '{"s":"€😀"}\n'],
    [[1, 2], '[1,2]\n'],
    ['x', '"x"\n'],
    [null, 'null\n'],
  ])('%j', (value, expected) => {
    const line = encodeLine(value);
    expect(line).toBe(expected);
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it.each([undefined, () => 1, Symbol('s')])('throws for non-serialisable %p', (value) => {
    expect(() => encodeLine(value)).toThrow(TypeError);
  });

  it('round-trips through the splitter', () => {
    const msgs = [{ a: 'x\ny' }, { b: '\u2028\u2029' }, { c: '\r' }];
    const { lines } = splitLines([bytes(msgs.map(encodeLine).join(''))]);
    expect(lines.map((l) => JSON.parse(l))).toEqual(msgs);
  });
});

describe('LineSplitter delivering bytes (onBytes)', () => {
  it('hands over each line undecoded, CRLF and a leading BOM removed, blank lines skipped', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter({ onBytes: (line) => lines.push(Buffer.concat(line).toString('hex')) });
    const text = '\ufeff{"a":"é"}\r\n  \n{"b"';
    const all = bytes(`${text}:1}\n`);
    // Split inside the multi-byte character and between CR and LF: the bytes come out whole all the same.
    const cuts = [0, 1, 9, 12, 13, all.length];
    for (let i = 0; i + 1 < cuts.length; i++) splitter.push(all.subarray(cuts[i], cuts[i + 1]));
    expect(lines.map((hex) => Buffer.from(hex, 'hex').toString())).toEqual(['{"a":"é"}', '{"b":1}']);
  });

  it('hands a line over as views of the chunks it arrived in, never joined', () => {
    const lines: Buffer[][] = [];
    const splitter = new LineSplitter({ onBytes: (line) => lines.push(line) });
    const first = Buffer.from('{"a":"12');
    const second = Buffer.from('34"}\n{"b":1}\n');
    splitter.push(first);
    splitter.push(second);
    expect(lines.map((line) => Buffer.concat(line).toString())).toEqual(['{"a":"1234"}', '{"b":1}']);
    expect(lines[0].map((piece) => piece.buffer)).toEqual([first.buffer, second.buffer]);
    expect(lines[1]).toHaveLength(1);
    expect(lines[1][0].buffer).toBe(second.buffer);
  });

  it('takes exactly one of onLine and onBytes', () => {
    expect(() => new LineSplitter({})).toThrow(TypeError);
    expect(() => new LineSplitter({ onLine: () => undefined, onBytes: () => undefined })).toThrow(TypeError);
  });
});
