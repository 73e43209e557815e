import { encodeSseComment, encodeSseEvent, encodeSseJson, encodeSseRetry, parseSse, SseEventInit, SseMessage, SseParser } from './sse';

const enc = new TextEncoder();

describe('encodeSseEvent', () => {
  it.each<[string, SseEventInit, string]>([
    ['data only', { data: 'x' }, 'data: x\n\n'],
    ['empty data', { data: '' }, 'data: \n\n'],
    ['multi-line LF', { data: 'a\nb\nc' }, 'data: a\ndata: b\ndata: c\n\n'],
    ['multi-line CRLF', { data: 'a\r\nb' }, 'data: a\ndata: b\n\n'],
    ['multi-line CR', { data: 'a\rb' }, 'data: a\ndata: b\n\n'],
    ['trailing newline keeps an empty last line', { data: 'a\n' }, 'data: a\ndata: \n\n'],
    ['blank line inside data', { data: 'a\n\nb' }, 'data: a\ndata: \ndata: b\n\n'],
    ['leading space is kept by the separator space', { data: ' x' }, 'data:  x\n\n'],
    ['colon in data', { data: 'k: v' }, 'data: k: v\n\n'],
    ['event and id', { event: 'message', id: '42', data: '{}' }, 'event: message\nid: 42\ndata: {}\n\n'],
    ['empty id (resets last event id)', { id: '', data: 'x' }, 'id: \ndata: x\n\n'],
    ['priming event: id with empty data', { id: 's1-0', data: '' }, 'id: s1-0\ndata: \n\n'],
    ['retry', { retry: 3000 }, 'retry: 3000\n\n'],
    ['retry zero', { retry: 0, data: 'x' }, 'retry: 0\ndata: x\n\n'],
    ['comment first', { comment: 'hi', data: 'x' }, ': hi\ndata: x\n\n'],
    ['multi-line comment', { comment: 'a\nb' }, ': a\n: b\n\n'],
    ['nothing', {}, '\n'],
  ])('%s', (_name, init, expected) => {
    expect(encodeSseEvent(init)).toBe(expected);
  });

  it.each<[string, SseEventInit]>([
    ['LF in event', { event: 'a\nb', data: '' }],
    ['CR in event', { event: 'a\rb', data: '' }],
    ['LF in id', { id: '1\n2', data: '' }],
    ['NUL in id', { id: '1\u00002', data: '' }],
    ['negative retry', { retry: -1 }],
    ['fractional retry', { retry: 1.5 }],
    ['NaN retry', { retry: Number.NaN }],
  ])('rejects %s', (_name, init) => {
    expect(() => encodeSseEvent(init)).toThrow(RangeError);
  });

  it('encodeSseJson / encodeSseRetry / encodeSseComment', () => {
    expect(encodeSseJson({ jsonrpc: '2.0', id: 1, result: {} })).toBe('data: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
    expect(encodeSseJson({ a: 1 }, '7')).toBe('id: 7\ndata: {"a":1}\n\n');
    expect(() => encodeSseJson(undefined)).toThrow(TypeError);
    expect(encodeSseRetry(500)).toBe('retry: 500\n\n');
    expect(encodeSseComment()).toBe(':\n\n');
    expect(encodeSseComment('keep-alive')).toBe(': keep-alive\n\n');
  });

  it.each([
    'plain',
    '',
    ' leading space',
    '  two leading spaces',
    'trailing space ',
    'multi\nline\n\ntext',
    'ends with newline\n',
    ':starts with colon',
    'data: nested',
    'unicode é€😀',
    JSON.stringify({ jsonrpc: '2.0', id: 'x', result: { text: 'a\nb' } }),
  ])('round-trips data %j through the parser', (data) => {
    const { events } = parseSse(encodeSseEvent({ event: 'e', id: 'i', data }));
    expect(events).toEqual([{ type: 'e', data, lastEventId: 'i' }]);
  });

  it('normalises CR / CRLF inside data to LF on round-trip', () => {
    expect(parseSse(encodeSseEvent({ data: 'a\r\nb\rc' })).events[0].data).toBe('a\nb\nc');
  });

  it('a comment keep-alive dispatches nothing', () => {
    const { events } = parseSse(encodeSseComment('ping') + encodeSseComment());
    expect(events).toEqual([]);
  });
});

describe('SseParser (WHATWG interpretation)', () => {
  it.each<[string, string, Array<Partial<SseMessage>>, string?]>([
    ['multi-line data joined with LF', 'data: YHOO\ndata: +2\ndata: 10\n\n', [{ type: 'message', data: 'YHOO\n+2\n10' }]],
    [
      'comment, ids, id reset, two leading spaces',
      ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
      [
        { data: 'first event', lastEventId: '1' },
        { data: 'second event', lastEventId: '' },
        { data: ' third event', lastEventId: '' },
      ],
      '',
    ],
    ['field without colon yields empty value', 'data\n\ndata\ndata\n\ndata:', [{ data: '' }, { data: '\n' }]],
    ['space after colon is optional', 'data:test\n\ndata: test\n\n', [{ data: 'test' }, { data: 'test' }]],
    ['event type', 'event: add\ndata: 73857293\n\n', [{ type: 'add', data: '73857293' }]],
    ['event type resets after dispatch', 'event: a\ndata: 1\n\ndata: 2\n\n', [{ type: 'a' }, { type: 'message' }]],
    ['empty event name means message', 'event:\ndata: x\n\n', [{ type: 'message', data: 'x' }]],
    ['CRLF line endings', 'data: a\r\ndata: b\r\n\r\n', [{ data: 'a\nb' }]],
    ['CR line endings', 'data: a\rdata: b\r\r', [{ data: 'a\nb' }]],
    ['mixed line endings', 'data: a\r\ndata: b\rdata: c\n\r\n', [{ data: 'a\nb\nc' }]],
    ['unknown fields ignored', 'foo: bar\ndata: x\nDATA: y\n\n', [{ data: 'x' }]],
    ['field names are case-sensitive', 'Data: x\n\n', []],
    ['only first colon splits', 'data: a:b: c\n\n', [{ data: 'a:b: c' }]],
    ['only one leading space stripped', 'data:   x  \n\n', [{ data: '  x  ' }]],
    ['tab is not stripped', 'data:\tx\n\n', [{ data: '\tx' }]],
    ['event without data is not dispatched', 'event: x\n\n', []],
    ['id-only event updates last event id', 'id: 5\n\ndata: x\n\n', [{ data: 'x', lastEventId: '5' }], '5'],
    ['id containing NUL is ignored', 'id: 1\n\nid: a\u0000b\ndata: x\n\n', [{ lastEventId: '1' }], '1'],
    ['id persists across events', 'id: 3\ndata: a\n\ndata: b\n\n', [{ lastEventId: '3' }, { lastEventId: '3' }], '3'],
    ['incomplete final event is discarded', 'data: a\n\ndata: b\n', [{ data: 'a' }]],
    ['unterminated final line is discarded', 'data: a\n\nid: 9', [{ data: 'a' }], ''],
    ['leading BOM stripped', '\uFEFFdata: x\n\n', [{ data: 'x' }]],
    ['BOM later is part of the field name', 'data: a\n\n\uFEFFdata: x\n\n', [{ data: 'a' }]],
    ['blank lines without data dispatch nothing', '\n\n\r\n\r', []],
    ['comment between data lines', 'data: a\n: c\ndata: b\n\n', [{ data: 'a\nb' }]],
    ['empty data dispatches an empty message', 'data:\n\n', [{ data: '' }]],
  ])('%s', (...row) => {
    // Rest parameter: the optional 4th column must not be mistaken for Jest's `done` callback.
    const [, input, expected, lastEventId] = row;
    const r = parseSse(input);
    expect(r.events).toHaveLength(expected.length);
    r.events.forEach((e, i) => expect(e).toMatchObject(expected[i]));
    if (lastEventId !== undefined) expect(r.lastEventId).toBe(lastEventId);
  });

  it.each([
    ['retry: 1000\n', 1000],
    ['retry: 0\n', 0],
    ['retry: 10a\n', undefined],
    ['retry: -5\n', undefined],
    ['retry: 1.5\n', undefined],
    ['retry:\n', undefined],
    ['retry: 200\nretry: x\n', 200],
  ])('retry %j → %p', (input, expected) => {
    expect(parseSse(input).retry).toBe(expected);
  });

  it('reports comments and retries through callbacks', () => {
    const comments: string[] = [];
    const retries: number[] = [];
    const p = new SseParser({
      onEvent: () => undefined,
      onComment: (c) => comments.push(c),
      onRetry: (r) => retries.push(r),
    });
    p.push(':\n: keep-alive\n:x\nretry: 5\n\n');
    expect(comments).toEqual(['', 'keep-alive', 'x']);
    expect(retries).toEqual([5]);
    expect(p.retry).toBe(5);
  });

  describe('chunking', () => {
    const stream =
      ': hello\r\n' +
      'id: 1\r\nevent: message\r\ndata: {"jsonrpc":"2.0","id":1,"result":{"t":"é€😀"}}\r\n\r\n' +
      'data: line1\rdata: line2\r\r' +
      'id: 2\ndata: x\n\n';
    const expected = parseSse(stream).events;

    it('sanity', () => {
      expect(expected).toEqual([
        {
          type: 'message',
          data: '{"jsonrpc":"2.0","id":1,"result":{"t":"é€😀"}}',
          lastEventId: '1',
        },
        { type: 'message', data: 'line1\nline2', lastEventId: '1' },
        { type: 'message', data: 'x', lastEventId: '2' },
      ]);
    });

    it('string split at every position', () => {
      for (let i = 0; i <= stream.length; i++) {
        const events: SseMessage[] = [];
        const p = new SseParser({ onEvent: (e) => events.push(e) });
        p.push(stream.slice(0, i));
        p.push(stream.slice(i));
        p.end();
        expect(events).toEqual(expected);
      }
    });

    it('bytes split at every position (incl. inside multi-byte chars and CRLF)', () => {
      const data = enc.encode(stream);
      for (let i = 0; i <= data.length; i++) {
        const events: SseMessage[] = [];
        const p = new SseParser({ onEvent: (e) => events.push(e) });
        p.push(data.subarray(0, i));
        p.push(data.subarray(i));
        p.end();
        expect(events).toEqual(expected);
      }
    });

    it('one byte at a time', () => {
      const events: SseMessage[] = [];
      const p = new SseParser({ onEvent: (e) => events.push(e) });
      for (const b of enc.encode(stream)) p.push(new Uint8Array([b]));
      p.end();
      expect(events).toEqual(expected);
    });

    it('BOM in bytes is stripped only at stream start', () => {
      const data = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: x\n\n')]);
      expect(parseSse(data).events).toEqual([{ type: 'message', data: 'x', lastEventId: '' }]);
    });

    it('events are delivered as soon as their blank line arrives', () => {
      const events: SseMessage[] = [];
      const p = new SseParser({ onEvent: (e) => events.push(e) });
      p.push('data: a\n');
      expect(events).toHaveLength(0);
      p.push('\n');
      expect(events).toHaveLength(1);
    });
  });

  describe('maxEventSize', () => {
    it('discards an oversize event and resumes at the next one', () => {
      const events: SseMessage[] = [];
      const oversize: number[] = [];
      const p = new SseParser({
        onEvent: (e) => events.push(e),
        maxEventSize: 20,
        onOversize: (s) => oversize.push(s),
      });
      p.push('data: ' + 'x'.repeat(50) + '\ndata: more\n\ndata: ok\n\n');
      p.end();
      expect(events.map((e) => e.data)).toEqual(['ok']);
      expect(oversize).toHaveLength(1);
    });

    it('oversize accumulated over several data lines', () => {
      const events: SseMessage[] = [];
      const p = new SseParser({
        onEvent: (e) => events.push(e),
        maxEventSize: 10,
      });
      p.push('data: 12345\ndata: 67890\ndata: abc\n\ndata: ok\n\n');
      expect(events.map((e) => e.data)).toEqual(['ok']);
    });

    it('oversize partial line across chunks: its tail is not taken for a blank line', () => {
      const events: SseMessage[] = [];
      const p = new SseParser({
        onEvent: (e) => events.push(e),
        maxEventSize: 10,
      });
      p.push('data: ' + 'x'.repeat(20));
      p.push('yyyy');
      p.push('\ndata: still-same-event\n\ndata: ok\n\n');
      expect(events.map((e) => e.data)).toEqual(['ok']);
    });

    it('events within the limit are unaffected', () => {
      const events: SseMessage[] = [];
      const p = new SseParser({
        onEvent: (e) => events.push(e),
        maxEventSize: 100,
      });
      p.push('data: a\n\ndata: b\n\n');
      expect(events.map((e) => e.data)).toEqual(['a', 'b']);
    });
  });

  it('large data split over many chunks', () => {
    const big = 'z'.repeat(2_000_000);
    const text = encodeSseEvent({ data: big });
    const events: SseMessage[] = [];
    const p = new SseParser({ onEvent: (e) => events.push(e) });
    for (let i = 0; i < text.length; i += 1000) p.push(text.slice(i, i + 1000));
    expect(events).toHaveLength(1);
    expect(events[0].data.length).toBe(big.length);
  });
});
