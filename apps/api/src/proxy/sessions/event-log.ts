import { encodedLength, type WireMessage } from '@mcp-proxy/mcp/protocol';

/** One stored SSE event. */
interface StoredEvent {
  streamId: string;
  seq: number;
  data: WireMessage;
  size: number;
}

const MAX_EVENTS = 1000;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * The recent SSE events of one session, so a client that lost a stream can resume it with
 * `Last-Event-ID` (Streamable HTTP). Bounded by count and size: the oldest events go first.
 * Event ids are `<stream>-<seq>`, unique within the session, and name the stream they belong to.
 */
export class EventLog {
  private readonly events: StoredEvent[] = [];
  private bytes = 0;
  private streams = 0;
  private readonly seqs = new Map<string, number>();

  newStreamId(): string {
    return `s${++this.streams}`;
  }

  append(streamId: string, data: WireMessage): string {
    const seq = (this.seqs.get(streamId) ?? 0) + 1;
    this.seqs.set(streamId, seq);
    // Approximate for text (its length in UTF-16 units, as before): a bound, not an account.
    const size = typeof data === 'string' ? data.length : encodedLength(data);
    this.events.push({ streamId, seq, data, size });
    this.bytes += size;
    while (this.events.length > MAX_EVENTS || (this.bytes > MAX_BYTES && this.events.length > 1)) {
      const dropped = this.events.shift() as StoredEvent;
      this.bytes -= dropped.size;
    }
    return `${streamId}-${seq}`;
  }

  /**
   * A stream the client read to its end has nothing left to resume: its events go, so a large answer
   * is not held (up to MAX_BYTES per session) after it was delivered.
   */
  forget(streamId: string): void {
    if (!this.seqs.delete(streamId)) return;
    let kept = 0;
    for (const event of this.events) {
      if (event.streamId === streamId) this.bytes -= event.size;
      else this.events[kept++] = event;
    }
    this.events.length = kept;
  }

  /** Events of the stream named by `lastEventId` that came after it, or null when the id is not ours. */
  after(lastEventId: string): { streamId: string; events: { id: string; data: WireMessage }[] } | null {
    const dash = lastEventId.lastIndexOf('-');
    const streamId = lastEventId.slice(0, dash);
    const seq = Number(lastEventId.slice(dash + 1));
    if (dash <= 0 || !Number.isInteger(seq) || !this.seqs.has(streamId)) return null;
    const events = this.events
      .filter((event) => event.streamId === streamId && event.seq > seq)
      .map((event) => ({ id: `${event.streamId}-${event.seq}`, data: event.data }));
    return { streamId, events };
  }
}
