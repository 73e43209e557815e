/** Something held open that must show signs of life: an SSE stream (a comment line), a WebSocket (a ping). */
export interface Beating {
  beat(): void;
}

/**
 * How often the timer ticks: each tick beats one slot of the streams, so the work of an interval is cut in
 * ~50 small pieces a second (on a busy core a long turn is stretched by every other runnable process).
 */
const TICK_MS = 20;

/**
 * One timer for the heartbeats of every open stream, instead of an interval each. Without them an idle
 * stream looks dead to whatever sits between client and proxy (nginx cuts it after 60 s by default) and a
 * client that vanished is never noticed. The streams are dealt round-robin into one slot per tick of the
 * interval; each tick beats one slot, so every stream beats once per interval and thousands of streams cost a
 * few writes per tick, never one long turn of the event loop. The timer runs only while a stream is
 * registered, and never keeps the process alive.
 */
export class StreamHeartbeat {
  private readonly slots: Set<Beating>[];
  private size = 0;
  private dealt = 0;
  private tick = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(readonly intervalMs: number) {
    this.slots = Array.from({ length: Math.max(1, Math.round(intervalMs / TICK_MS)) }, () => new Set<Beating>());
  }

  /** Starts beating `stream`; the function returned stops it (safe to call twice). */
  add(stream: Beating): () => void {
    const slot = this.slots[this.dealt++ % this.slots.length];
    slot.add(stream);
    this.size++;
    this.timer ??= setInterval(() => this.beatNext(), this.intervalMs / this.slots.length);
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
    const slot = this.slots[this.tick++ % this.slots.length];
    for (const stream of slot) stream.beat();
  }
}
