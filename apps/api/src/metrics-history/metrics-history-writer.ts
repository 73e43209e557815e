import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import type { ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { Between, LessThan, Repository } from 'typeorm';
import { InstanceIdentity } from '../cluster/instance-identity';
import { Clock, type ScheduledTask } from '../core/time/clock';
import { ProxyMetrics } from '../proxy/metrics/proxy-metrics';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { addCounts, parseCounts } from './latency-counts';
import { MetricsHistoryEntity } from './metrics-history.entity';
import { MinuteAggregator, type MinuteFigures } from './minute-aggregator';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
/** Minute rows are kept a day, hour rows thirty days: at most 1,440 + 720 rows per service and instance. */
export const MINUTES_KEPT_MS = 24 * HOUR_MS;
export const HOURS_KEPT_MS = 30 * 24 * HOUR_MS;
/** The hours looked at again on each pass (a late minute row, another instance's shutdown flush). */
const HOURS_REDONE = 2;
/** Downsampling and retention run every this many minutes. */
const DOWNSAMPLE_EVERY_MINUTES = 10;

/**
 * Writes the metrics history: once a minute one row per active service for this instance (collected in
 * memory, never on the request path), then, every ten minutes, hour rows made from the minute rows of
 * the hours just ended and the rows past their age deleted. Every instance may downsample: an hour row
 * is a pure function of its minute rows, rewritten whole.
 */
@Injectable()
export class MetricsHistoryWriter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MetricsHistory');
  private readonly aggregator = new MinuteAggregator();
  private readonly instanceId: string;
  private timer: ScheduledTask | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private minutes = 0;
  private stopped = false;

  constructor(
    @InjectRepository(MetricsHistoryEntity) private readonly rows: Repository<MetricsHistoryEntity>,
    private readonly metrics: ProxyMetrics,
    private readonly clock: Clock,
    instance: InstanceIdentity,
  ) {
    this.instanceId = instance.id.slice(0, 100);
  }

  onApplicationBootstrap(): void {
    // Start from the totals as they are: the first minute holds only what happens in it.
    this.aggregator.take(this.metrics.totals());
    this.serialize(() => this.downsample(this.clock.now(), 25));
    this.scheduleNext();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    // The minute so far is not lost on a restart: it merges with whatever the minute gets next.
    this.serialize(() => this.flush(this.clock.now()));
    await this.running;
  }

  @OnEvent(SERVICE_EVENTS.metrics)
  onSample(view: ServiceMetricsView): void {
    this.aggregator.sample(view);
  }

  /** Writes what was collected since the last flush as the minute `now - 1 s` falls in. Returns the rows written. */
  async flush(now: number): Promise<number> {
    const figures = this.aggregator.take(this.metrics.totals());
    const at = new Date(Math.floor((now - 1000) / MINUTE_MS) * MINUTE_MS);
    for (const figure of figures) await this.addMinute(at, figure);
    return figures.length;
  }

  /**
   * Makes the hour rows of the `hours` hours ended before `now` from their minute rows (every instance's),
   * then deletes minute rows older than a day and hour rows older than thirty days.
   */
  async downsample(now: number, hours = HOURS_REDONE): Promise<void> {
    const end = Math.floor(now / HOUR_MS) * HOUR_MS;
    for (let start = end - hours * HOUR_MS; start < end; start += HOUR_MS) await this.rollUp(start);
    await this.rows.delete({ resolution: '1m', at: LessThan(new Date(now - MINUTES_KEPT_MS)) });
    await this.rows.delete({ resolution: '1h', at: LessThan(new Date(now - HOURS_KEPT_MS)) });
  }

  private async rollUp(start: number): Promise<void> {
    const minutes = await this.rows.find({ where: { resolution: '1m', at: Between(new Date(start), new Date(start + HOUR_MS - 1)) } });
    if (minutes.length === 0) return;
    const hours = new Map<string, MetricsHistoryEntity>();
    for (const minute of minutes) {
      const key = `${minute.serviceId}\n${minute.instance}`;
      const hour = hours.get(key) ?? {
        ...minute,
        resolution: '1h' as const,
        at: new Date(start),
        calls: 0,
        errors: 0,
        latency: '{}',
        samples: 0,
        cpuSum: 0,
        rssSum: 0,
      };
      hour.serviceName = minute.serviceName;
      hour.calls += minute.calls;
      hour.errors += minute.errors;
      hour.latency = JSON.stringify(addCounts(parseCounts(hour.latency), parseCounts(minute.latency)));
      hour.samples += minute.samples;
      hour.cpuSum += minute.cpuSum;
      hour.rssSum += minute.rssSum;
      hours.set(key, hour);
    }
    await this.rows.delete({ resolution: '1h', at: new Date(start) });
    // Another instance rolling up the same hour writes the same rows: whichever comes second is ignored.
    await this.rows
      .createQueryBuilder()
      .insert()
      .values([...hours.values()])
      .orIgnore()
      .execute();
  }

  private async addMinute(at: Date, figure: MinuteFigures): Promise<void> {
    const key = { resolution: '1m' as const, serviceId: figure.serviceId.slice(0, 100), instance: this.instanceId, at };
    const existing = await this.rows.findOneBy(key);
    if (existing) {
      await this.rows.update(key, {
        calls: existing.calls + figure.calls,
        errors: existing.errors + figure.errors,
        latency: JSON.stringify(addCounts(parseCounts(existing.latency), figure.latency)),
        samples: existing.samples + figure.samples,
        cpuSum: existing.cpuSum + figure.cpuSum,
        rssSum: existing.rssSum + figure.rssSum,
      });
      return;
    }
    await this.rows.insert({
      ...key,
      serviceName: figure.serviceName.slice(0, 200),
      calls: figure.calls,
      errors: figure.errors,
      latency: JSON.stringify(figure.latency),
      samples: figure.samples,
      cpuSum: figure.cpuSum,
      rssSum: figure.rssSum,
    });
  }

  /** Just past the next minute's start, so each flush closes one whole minute. */
  private scheduleNext(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const delay = MINUTE_MS - (now % MINUTE_MS) + 1000;
    this.timer = this.clock.schedule(delay, () => {
      const at = this.clock.now();
      this.serialize(() => this.flush(at));
      if (++this.minutes % DOWNSAMPLE_EVERY_MINUTES === 0) this.serialize(() => this.downsample(at));
      this.scheduleNext();
    });
  }

  /** One database pass at a time; a failed one is logged and the next still runs. */
  private serialize(task: () => Promise<unknown>): void {
    this.running = this.running.then(task).catch((error: unknown) => {
      this.logger.warn(`Could not write the metrics history: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
