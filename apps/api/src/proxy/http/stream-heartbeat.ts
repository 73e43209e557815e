/** Something held open that must show signs of life: an SSE stream (a comment line), a WebSocket (a ping). */
export interface Beating {
  beat(): void;
}

/** How many groups the streams are spread over: each tick beats one group, so no tick writes to every stream at once. */
const SLOTS = 16;

/**
 * One timer for the heartbeats of every open stream, instead of an interval each. Without them an idle
 * stream looks dead to whatever sits between client and proxy (nginx cuts it after 60 s by default) and a
 * client that vanished is never noticed. The streams are dealt round-robin into slots; a tick every
 * `intervalMs / SLOTS` beats one slot, so each stream beats once per interval and thousands of streams cost a
 * sixteenth of their writes per tick, never one long turn of the event loop. The timer runs only while a
 * stream is registered, and never keeps the process alive.
 */
export class StreamHeartbeat {
  private readonly slots: Set<Beating>[] = Array.from({ length: SLOTS }, () => new Set<Beating>());
  private size = 0;
  private dealt = 0;
  private tick = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(readonly intervalMs: number) {}

  /** Starts beating `stream`; the function returned stops it (safe to call twice). */
  add(stream: Beating): () => void {
    const slot = this.slots[this.dealt++ % SLOTS];
    slot.add(stream);
    this.size++;
    this.timer ??= setInterval(() => this.beatNext(), Math.max(1, Math.floor(this.intervalMs / SLOTS)));
    this.timer.unref();
    return () => {
      if (!slot.delete(stream)) return;
      if (--this.size === 0) this.stop();
    };
  }

  /** Streams being beaten now. */
  get count(): number {
    return this.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beatNext(): void {
    const slot = this.slots[this.tick++ % SLOTS];
    for (const stream of slot) stream.beat();
  }
}
