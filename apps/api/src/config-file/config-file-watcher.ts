import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AppConfig } from '../core/config/app-config';
import { AppLogger } from '../core/logging/app-logger';
import { ConfigSyncService } from './config-sync.service';

const SETTLE_MS = 300;

/**
 * With CONFIG_FILE set, the file is applied at start and again whenever it changes (only the
 * difference: unchanged services keep running). A broken edit is logged and changes nothing.
 */
@Injectable()
export class ConfigFileWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private applying: Promise<void> = Promise.resolve();
  private lastText: string | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly sync: ConfigSyncService,
    private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.get('CONFIG_FILE');
    if (!file) return;
    const path = resolve(file);
    await this.applyFile(path);
    // Editors replace files rather than writing in place: watch the folder, not the file.
    this.watcher = watch(dirname(path), (_event, name) => {
      if (name !== basename(path)) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        // applyFile logs a file it cannot read or apply and never rejects; settled() hands the chain to whoever waits.
        this.applying = this.applying.then(() => this.applyFile(path));
      }, SETTLE_MS);
    });
  }

  onApplicationShutdown(): void {
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Settles once the file's latest change has been applied (for tests and shutdown). */
  settled(): Promise<void> {
    return this.applying;
  }

  private async applyFile(path: string): Promise<void> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      this.logger.event('error', { context: 'ConfigFile', path, reason: (error as Error).message }, 'configuration file cannot be read');
      return;
    }
    if (text === this.lastText) return;
    try {
      const result = await this.sync.apply(text);
      this.lastText = text;
      const changed = [...result.services, ...result.groups, ...result.settings].filter((item) => item.change !== 'unchanged');
      this.logger.event(
        'info',
        { context: 'ConfigFile', path, changed },
        `configuration file applied (${changed.length} change${changed.length === 1 ? '' : 's'})`,
      );
    } catch (error) {
      const response = (error as { getResponse?: () => unknown }).getResponse?.();
      this.logger.event(
        'error',
        { context: 'ConfigFile', path, problems: (response as { message?: unknown })?.message ?? (error as Error).message },
        'configuration file not applied',
      );
    }
  }
}
