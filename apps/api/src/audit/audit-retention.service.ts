import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.service';
import { AuditService } from './audit.service';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes events past AUDIT_RETENTION_DAYS, hourly. Idempotent, so every instance may run it. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('AUDIT_RETENTION_DAYS') === 0) return;
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
    void this.prune();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
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
