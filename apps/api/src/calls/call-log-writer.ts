import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { InstanceIdentity } from '../cluster/instance-identity';
import { AppConfig } from '../core/config/app-config';
import { MetricsService } from '../core/metrics/metrics.service';
import { Clock } from '../core/time/clock';
import type { CallRecord, CallRecorder, FinishedCall } from '../proxy/metrics/call-record';
import { CallLogEntity } from './call-log.entity';
import { batchInsertOf, type BatchInsert } from './call-log-insert';
import { CallLogQueue } from './call-log-queue';
import { CallPayloadPolicy } from './call-payload-policy';
import { CALL_CONTEXT_COLUMNS, CALL_OWN_COLUMNS, CallBatch } from './call-batch';
import { callRowOf, type CallRow } from './call-row';
import { timeOrderedUuid } from './time-ordered-uuid';

/** Rows held in memory at most while the database catches up; beyond, calls go unrecorded (and counted). */
export const CALL_LOG_CAPACITY = 10_000;
const BATCH_SIZE = 500;
// Often and small: a call waiting in the queue for long outlives the young generation and costs the collector more.
const FLUSH_EVERY_MS = 200;

/** A queued call: as the proxy handed it over, or a row made elsewhere (an import, a test). */
type Queued = { finished: FinishedCall } | { row: CallRow };

/**
 * The proxy's CALL_RECORDER: takes each finished call from the hot path into a bounded queue as it is (no work
 * there), and turns each batch into rows (hash, sizes, redacted payloads) and one INSERT, off the path. With
 * CALL_LOG=false nothing is recorded (the proxy does not even hand calls over). Written out before the database
 * closes on a graceful stop.
 */
@Injectable()
export class CallLogWriter implements CallRecorder, BeforeApplicationShutdown {
  private readonly logger = new Logger('CallLog');
  readonly enabled: boolean;
  private readonly queue: CallLogQueue<Queued>;
  private readonly dropped: Counter;
  private readonly insert: BatchInsert;
  private readonly instanceId: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payloads: CallPayloadPolicy,
    instance: InstanceIdentity,
    config: AppConfig,
    metrics: MetricsService,
    clock: Clock,
  ) {
    this.enabled = config.get('CALL_LOG');
    this.instanceId = instance.id.slice(0, 100);
    this.insert = batchInsertOf(dataSource, CallLogEntity, { shared: CALL_CONTEXT_COLUMNS, own: CALL_OWN_COLUMNS });
    this.dropped = new Counter({
      name: 'mcp_proxy_call_log_dropped_total',
      help: 'MCP calls not recorded in the call log: its queue was full, or a batch could not be written',
      registers: [metrics.registry],
    });
    this.queue = new CallLogQueue<Queued>({
      capacity: CALL_LOG_CAPACITY,
      batchSize: BATCH_SIZE,
      flushEveryMs: FLUSH_EVERY_MS,
      write: (batch) => this.write(batch),
      onDrop: () => this.dropped.inc(),
      onError: (error, lost) => {
        this.dropped.inc(lost);
        this.logger.error({ err: error, lost }, 'Could not write recorded calls');
      },
      schedule: (delayMs, task) => clock.schedule(delayMs, task),
    });
  }

  storesPayloads(serviceId: string): boolean {
    return this.payloads.storesPayloads(serviceId);
  }

  record(finished: FinishedCall): void {
    if (this.enabled) this.queue.push({ finished });
  }

  /** Queues a row made elsewhere (without payloads); recorded whatever CALL_LOG says. */
  insertRow(record: CallRecord): void {
    this.queue.push({ row: { ...record, arguments: null, result: null } });
  }

  /** Writes what is queued now (tests read their calls right after making them). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.queue.stop();
  }

  private async write(batch: Queued[]): Promise<void> {
    const rows = new CallBatch();
    for (const queued of batch) {
      try {
        const row =
          'row' in queued
            ? { ...queued.row, id: timeOrderedUuid(queued.row.at.getTime()), instance: this.instanceId }
            : callRowOf(
                queued.finished,
                this.payloads.storageOf(queued.finished.serviceId),
                timeOrderedUuid(queued.finished.at),
                this.instanceId,
              );
        rows.add(row);
      } catch (error) {
        // One call whose arguments cannot be made into a row must not cost the batch.
        this.dropped.inc();
        this.logger.warn(`Could not record a call: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (rows.rows.length > 0) await this.dataSource.query(this.insert.sql, this.insert.parameters(rows.contexts, rows.rows));
  }
}
