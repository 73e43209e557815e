import { SseEvent, readSse } from './sse-reader';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(streamOf(chunks))) events.push(event);
  return events;
}

describe('readSse', () => {
  it.each<[string, string[], SseEvent[]]>([
    ['one event', ['data: {"a":1}\n\n'], [{ event: 'message', data: '{"a":1}', id: '' }]],
    ['id and event type', ['id: s1-1\nevent: message\ndata: x\n\n'], [{ event: 'message', data: 'x', id: 's1-1' }]],
    ['multi-line data', ['data: a\ndata: b\n\n'], [{ event: 'message', data: 'a\nb', id: '' }]],
    ['comments and CRLF', [': keep-alive\r\n\r\ndata: x\r\n\r\n'], [{ event: 'message', data: 'x', id: '' }]],
    ['split across chunks, even inside CRLF', ['da', 'ta: hel', 'lo\r', '\n\r', '\n'], [{ event: 'message', data: 'hello', id: '' }]],
    [
      'custom event type',
      ['event: endpoint\ndata: /messages?sessionId=1\n\n'],
      [{ event: 'endpoint', data: '/messages?sessionId=1', id: '' }],
    ],
    ['no space after the colon', ['data:x\n\n'], [{ event: 'message', data: 'x', id: '' }]],
    ['an unfinished event is dropped', ['data: a\n\ndata: b\n'], [{ event: 'message', data: 'a', id: '' }]],
    [
      'the id carries over',
      ['id: 7\ndata: a\n\ndata: b\n\n'],
      [
        { event: 'message', data: 'a', id: '7' },
        { event: 'message', data: 'b', id: '7' },
      ],
    ],
    ['a leading BOM', ['\uFEFFdata: x\n\n'], [{ event: 'message', data: 'x', id: '' }]],
  ])('%s', async (_name, chunks, expected) => {
    expect(await collect(chunks)).toEqual(expected);
  });

  it('decodes UTF-8 split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8));
        controller.enqueue(bytes.slice(8));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const event of readSse(stream)) events.push(event);
    expect(events).toEqual([{ event: 'message', data: 'héllo', id: '' }]);
  });
});
