/** One dispatched Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * Reads a `text/event-stream` body as it arrives: `data:` lines joined by newlines, `event:` and
 * `id:` fields, `:` comments skipped, an event dispatched at each blank line (CRLF, LF or CR line
 * ends). An event left incomplete when the stream ends is not dispatched.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id = '';
  let first = true;

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        buffer = buffer.replace(/^\uFEFF/, '');
        first = false;
      }
      for (;;) {
        const end = lineEnd(buffer, done);
        if (!end) break;
        const line = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end.length);
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
          data = [];
          event = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(fieldValue);
        else if (field === 'event') event = fieldValue;
        else if (field === 'id' && !fieldValue.includes('\0')) id = fieldValue;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Where the first line of `buffer` ends; a CR at the very end waits for a possible LF unless the stream is over. */
function lineEnd(buffer: string, streamDone: boolean): { index: number; length: number } | null {
  const index = buffer.search(/[\r\n]/);
  if (index < 0) return null;
  if (buffer[index] === '\r') {
    if (index === buffer.length - 1 && !streamDone) return null;
    return { index, length: buffer[index + 1] === '\n' ? 2 : 1 };
  }
  return { index, length: 1 };
}
