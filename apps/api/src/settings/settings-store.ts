import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { InvalidSettingValue } from '../core/config/env.schema';
import { isRuntimeKey, parseRuntimeValue, RuntimeKey, RuntimeSettings, RuntimeValues } from '../core/config/runtime-settings';
import { RuntimeSettingEntity } from './runtime-setting.entity';

export interface StoredSettings {
  values: Partial<RuntimeValues>;
  changedAt: Partial<Record<RuntimeKey, Date>>;
}

/** The runtime settings table: read all, write several at once, remove. */
@Injectable()
export class SettingsStore {
  private readonly logger = new Logger('Settings');

  constructor(
    @InjectRepository(RuntimeSettingEntity) private readonly rows: Repository<RuntimeSettingEntity>,
    private readonly settings: RuntimeSettings,
  ) {}

  /**
   * Every stored value still valid for this version. A row that no longer is (a key dropped, a range
   * narrowed by an upgrade) is skipped with a warning, so the environment's value applies instead of
   * the server refusing to start.
   */
  async load(): Promise<StoredSettings> {
    const stored: StoredSettings = { values: {}, changedAt: {} };
    for (const row of await this.rows.find()) {
      if (!isRuntimeKey(row.key)) {
        this.logger.warn(`Ignoring stored setting ${row.key}: it cannot be changed at runtime in this version`);
        continue;
      }
      try {
        assign(stored.values, row.key, parseRuntimeValue(row.key, row.value, this.settings.environmentValue(row.key)));
        stored.changedAt[row.key] = row.updatedAt;
      } catch (error) {
        if (!(error instanceof InvalidSettingValue)) throw error;
        this.logger.warn(`Ignoring stored setting: ${error.message}`);
      }
    }
    return stored;
  }

  /**
   * Writes the changed values with one upsert and removes the reset ones with one delete: each statement is
   * atomic on its own. No explicit transaction: on SQLite's single connection it races other writers (the
   * audit log) and fails. Values are all checked before this runs, so nothing is half-applied for a bad one.
   */
  async write(changed: Partial<RuntimeValues>, reset: RuntimeKey[]): Promise<void> {
    const entries = Object.entries(changed).map(([key, value]) => ({
      key,
      value: value as RuntimeSettingEntity['value'],
      updatedAt: new Date(),
    }));
    if (entries.length > 0) await this.rows.upsert(entries, ['key']);
    if (reset.length > 0) await this.rows.delete({ key: In(reset) });
  }
}

function assign<K extends RuntimeKey>(target: Partial<RuntimeValues>, key: K, value: RuntimeValues[K]): void {
  target[key] = value;
}
