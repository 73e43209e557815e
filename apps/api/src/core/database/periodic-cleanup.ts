/**
 * A database cleanup run once at start and then every `everyMs` (audit retention, OAuth leftovers, old
 * webhook deliveries). Runs never overlap, and `stop()` waits for one in progress: a shutdown then never
 * closes the connection under a running delete (seen as "Database handle is closed" in the log).
 * `run` handles and logs its own errors.
 */
export class PeriodicCleanup {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.stopped || this.running) return;
    this.running = this.run()
      .catch(() => undefined)
      .finally(() => (this.running = null));
  }
}
