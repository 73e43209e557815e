import { SseParser } from '@mcp-proxy/mcp/protocol';

/** One dispatched Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * Reads a `text/event-stream` body as it arrives, through the protocol library's parser (the one the
 * proxy itself uses), yielding each event once its blank line arrives. An event left incomplete when
 * the stream ends is not dispatched.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const ready: SseEvent[] = [];
  const parser = new SseParser({ onEvent: (event) => ready.push({ event: event.type, data: event.data, id: event.lastEventId }) });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        parser.end();
        return;
      }
      parser.push(value);
      while (ready.length > 0) yield ready.shift() as SseEvent;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
