import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { Repository } from 'typeorm';
import { InstanceIdentity } from '../cluster/instance-identity';
import { AppConfig } from '../core/config/app-config';
import { MetricsService } from '../core/metrics/metrics.service';
import { Clock } from '../core/time/clock';
import type { CallRecord, CallRecorder } from '../proxy/metrics/call-record';
import { CallLogEntity } from './call-log.entity';
import { CallLogQueue } from './call-log-queue';

/** Rows held in memory at most while the database catches up; beyond, calls go unrecorded (and counted). */
export const CALL_LOG_CAPACITY = 10_000;
const BATCH_SIZE = 500;
const FLUSH_EVERY_MS = 1000;

/**
 * The proxy's CALL_RECORDER: takes each finished call from the hot path into a bounded queue and writes
 * the queue in multi-row INSERTs, off the path. With CALL_LOG=false nothing is recorded (the proxy does
 * not even build the records). Written out before the database closes on a graceful stop.
 */
@Injectable()
export class CallLogWriter implements CallRecorder, BeforeApplicationShutdown {
  private readonly logger = new Logger('CallLog');
  readonly enabled: boolean;
  private readonly queue: CallLogQueue<CallLogEntity>;
  private readonly dropped: Counter;

  constructor(
    @InjectRepository(CallLogEntity) private readonly calls: Repository<CallLogEntity>,
    private readonly instance: InstanceIdentity,
    config: AppConfig,
    metrics: MetricsService,
    clock: Clock,
  ) {
    this.enabled = config.get('CALL_LOG');
    this.dropped = new Counter({
      name: 'mcp_proxy_call_log_dropped_total',
      help: 'MCP calls not recorded in the call log: its queue was full, or a batch could not be written',
      registers: [metrics.registry],
    });
    this.queue = new CallLogQueue<CallLogEntity>({
      capacity: CALL_LOG_CAPACITY,
      batchSize: BATCH_SIZE,
      flushEveryMs: FLUSH_EVERY_MS,
      write: (rows) => this.write(rows),
      onDrop: () => this.dropped.inc(),
      onError: (error, lost) => {
        this.dropped.inc(lost);
        this.logger.error({ err: error, lost }, 'Could not write recorded calls');
      },
      schedule: (delayMs, task) => clock.schedule(delayMs, task),
    });
  }

  record(record: CallRecord): void {
    if (!this.enabled) return;
    this.queue.push({ ...record, id: randomUUID(), instance: this.instance.id.slice(0, 100) });
  }

  /** Writes what is queued now (tests read their calls right after making them). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.queue.stop();
  }

  /**
   * One multi-row INSERT in plain SQL: the ORM's insert builder spent more CPU per row than the proxy spends
   * on the call itself. Values go through the driver's own conversion, so rows read back as the ORM wrote them.
   */
  private async write(rows: CallLogEntity[]): Promise<void> {
    const { driver } = this.calls.manager.connection;
    const columns = this.calls.metadata.columns;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = columns.map((column) => {
        params.push(driver.preparePersistentValue(column.getEntityValue(row), column));
        return driver.createParameter(`p${params.length - 1}`, params.length - 1);
      });
      return `(${placeholders.join(', ')})`;
    });
    const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
    await this.calls.manager.query(
      `INSERT INTO ${driver.escape(this.calls.metadata.tableName)} (${names}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }
}
