import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { PeriodicCleanup } from '../core/database/periodic-cleanup';
import { AuditService } from './audit.service';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes events past AUDIT_RETENTION_DAYS, hourly. Idempotent, so every instance may run it. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly cleanup = new PeriodicCleanup(PRUNE_EVERY_MS, () => this.prune());

  constructor(
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('AUDIT_RETENTION_DAYS') === 0) return;
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  async prune(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.get('AUDIT_RETENTION_DAYS') * DAY_MS);
    try {
      const deleted = await this.audit.pruneBefore(cutoff);
      if (deleted > 0) this.logger.log({ deleted, before: cutoff.toISOString() }, 'Old audit events deleted');
    } catch (error) {
      this.logger.error({ err: error }, 'Could not prune the audit log');
    }
  }
}
