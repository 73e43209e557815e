import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config';
import { PeriodicCleanup } from '../core/database/periodic-cleanup';
import { Clock } from '../core/time/clock';
import { CallLogEntity } from './call-log.entity';

const SWEEP_EVERY_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the call log within CALL_LOG_RETENTION_DAYS and CALL_LOG_MAX_ROWS: at start, then every ten minutes
 * (the row bound must hold on a busy proxy, so more often than the audit log's hourly sweep). Idempotent,
 * so every instance may run it.
 */
@Injectable()
export class CallLogRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CallLog');
  private readonly cleanup = new PeriodicCleanup(SWEEP_EVERY_MS, () => this.sweep());

  constructor(
    @InjectRepository(CallLogEntity) private readonly calls: Repository<CallLogEntity>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  /** One sweep with the configured limits (or the ones given, in tests); returns how many rows went. Never throws. */
  async sweep(
    limits: { retentionDays: number; maxRows: number; now: number } = {
      retentionDays: this.config.get('CALL_LOG_RETENTION_DAYS'),
      maxRows: this.config.get('CALL_LOG_MAX_ROWS'),
      now: this.clock.now(),
    },
  ): Promise<number> {
    try {
      let deleted = 0;
      if (limits.retentionDays > 0) {
        const cutoff = new Date(limits.now - limits.retentionDays * DAY_MS);
        deleted += (await this.calls.delete({ at: LessThan(cutoff) })).affected ?? 0;
      }
      if (limits.maxRows > 0) deleted += await this.trimTo(limits.maxRows);
      if (deleted > 0) this.logger.log({ deleted }, 'Old recorded calls deleted');
      return deleted;
    } catch (error) {
      this.logger.error({ err: error }, 'Could not prune the call log');
      return 0;
    }
  }

  /** Deletes the rows older than the `maxRows`-th newest (rows sharing its time stay: a bound, not an exact count). */
  private async trimTo(maxRows: number): Promise<number> {
    const [boundary] = await this.calls.find({ select: { id: true, at: true }, order: { at: 'DESC' }, skip: maxRows - 1, take: 1 });
    if (!boundary) return 0;
    return (await this.calls.delete({ at: LessThan(boundary.at) })).affected ?? 0;
  }
}
