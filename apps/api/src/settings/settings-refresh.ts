import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SettingsService } from './settings.service';

/** How often stored settings are re-read, so a change made through another instance sharing the database applies here. */
export const SETTINGS_REFRESH_MS = 10_000;

/**
 * Applies the stored settings before the server starts listening (a stored value wins over the
 * environment's), then keeps this instance in step with the database.
 */
@Injectable()
export class SettingsRefresh implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Settings');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly settings: SettingsService) {}

  async onModuleInit(): Promise<void> {
    await this.settings.refresh();
    this.timer = setInterval(() => {
      this.settings.refresh().catch((error: unknown) => this.logger.warn(`Could not re-read the stored settings: ${String(error)}`));
    }, SETTINGS_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
