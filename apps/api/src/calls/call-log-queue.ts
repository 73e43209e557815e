/**
 * The call log's bounded buffer between the hot path and the database: `push` never waits and never
 * throws; rows leave in batches (every `flushEveryMs`, or at once when a batch is full), each batch in one
 * write. When the buffer is full the row is dropped and counted: a slow database must not slow calls down
 * nor grow memory without bound. `stop` writes what is left (a clean stop loses nothing queued).
 */
export interface CallLogQueueOptions<Row> {
  /** Rows held at most; beyond, new rows are dropped. */
  capacity: number;
  /** Rows per write. */
  batchSize: number;
  flushEveryMs: number;
  /** Writes one batch (one multi-row INSERT). A rejection loses that batch, reported to `onError`. */
  write: (rows: Row[]) => Promise<void>;
  /** Told of every dropped row. */
  onDrop: () => void;
  onError: (error: unknown, lost: number) => void;
  /** Runs `task` later (the Clock's `schedule`, a fake in tests). */
  schedule: (delayMs: number, task: () => void) => { cancel(): void };
}

export class CallLogQueue<Row> {
  private rows: Row[] = [];
  private timer: { cancel(): void } | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  dropped = 0;

  constructor(private readonly options: CallLogQueueOptions<Row>) {}

  get size(): number {
    return this.rows.length;
  }

  /** Queues a row; false when it was dropped (the buffer is full, or the queue has stopped). */
  push(row: Row): boolean {
    if (this.stopped || this.rows.length >= this.options.capacity) {
      this.dropped++;
      this.options.onDrop();
      return false;
    }
    this.rows.push(row);
    if (this.rows.length >= this.options.batchSize) this.kick();
    else this.timer ??= this.options.schedule(this.options.flushEveryMs, () => this.kick());
    return true;
  }

  /** Writes everything queued now; resolves once it is written (or lost and reported). Never rejects. */
  flush(): Promise<void> {
    this.kick();
    return this.flushing ?? Promise.resolve();
  }

  /** No more rows are taken; what is queued is written before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private kick(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.flushing || this.rows.length === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      // Rows that came while writing wait for the next tick, not for the next push.
      if (this.rows.length > 0 && !this.stopped) this.timer ??= this.options.schedule(this.options.flushEveryMs, () => this.kick());
    });
  }

  private async drain(): Promise<void> {
    while (this.rows.length > 0) {
      const batch = this.rows.splice(0, this.options.batchSize);
      try {
        await this.options.write(batch);
      } catch (error) {
        this.options.onError(error, batch.length);
      }
    }
  }
}
