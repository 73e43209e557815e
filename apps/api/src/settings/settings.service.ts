import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { SettingSource, SettingValue, SettingView } from '@mcp-proxy/shared/dto';
import { AppConfig } from '../core/config/app-config';
import { type AppEnv, ENV_SCHEMA, envDefault, InvalidSettingValue } from '../core/config/env.schema';
import { isRuntimeKey, parseRuntimeValue, RuntimeKey, RuntimeSettings, RuntimeValues } from '../core/config/runtime-settings';
import { CatalogEntry, SETTINGS_CATALOG, URL_KEYS_WITH_CREDENTIALS, withoutCredentials } from './settings-catalog';
import { SettingsStore, StoredSettings } from './settings-store';

/** Lists the server settings and changes the runtime ones: validate all, store all, then apply. */
@Injectable()
export class SettingsService {
  private readonly logger = new Logger('Settings');

  constructor(
    private readonly store: SettingsStore,
    private readonly settings: RuntimeSettings,
    private readonly config: AppConfig,
  ) {}

  /** Reads the store first, so a change made through another instance sharing the database shows (and applies) here too. */
  async list(): Promise<SettingView[]> {
    const stored = await this.refresh();
    return (Object.entries(SETTINGS_CATALOG) as [keyof AppEnv, CatalogEntry][]).map(([key, entry]) => this.view(key, entry, stored));
  }

  /** Every value is checked before anything is written; a 400 lists each bad field and changes nothing. */
  async update(body: Record<string, unknown>): Promise<SettingView[]> {
    const { changed, reset } = this.parse(body);
    await this.store.write(changed, reset);
    await this.refresh();
    return this.list();
  }

  /** Throws the 400 that `update` would, writing nothing (a configuration import checks its settings before it changes anything). */
  check(body: Record<string, unknown>): void {
    this.parse(body);
  }

  private parse(body: Record<string, unknown>): { changed: Partial<RuntimeValues>; reset: RuntimeKey[] } {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestException(['the body must be an object of settings']);
    const changed: Partial<RuntimeValues> = {};
    const reset: RuntimeKey[] = [];
    const problems: string[] = [];
    for (const [key, input] of Object.entries(body)) {
      if (input === undefined) continue;
      if (!isRuntimeKey(key)) {
        problems.push(
          key in ENV_SCHEMA ? `${key} cannot be changed at runtime: set it in the environment and restart` : `${key} is not a setting`,
        );
        continue;
      }
      if (input === null) {
        reset.push(key);
        continue;
      }
      try {
        assign(changed, key, parseRuntimeValue(key, input, this.settings.environmentValue(key)));
      } catch (error) {
        if (!(error instanceof InvalidSettingValue)) throw error;
        problems.push(error.message);
      }
    }
    if (problems.length > 0) throw new BadRequestException(problems);
    return { changed, reset };
  }

  async reset(key: string): Promise<SettingView[]> {
    if (!(key in SETTINGS_CATALOG)) throw new NotFoundException(`No setting named ${key}`);
    if (!isRuntimeKey(key))
      throw new BadRequestException([`${key} cannot be changed at runtime: it is set in the environment (restart needed)`]);
    await this.store.write({}, [key]);
    return this.list();
  }

  /** Applies what the store holds to the live values; logs each change (none of these values is secret). */
  async refresh(): Promise<StoredSettings> {
    const stored = await this.store.load();
    for (const key of this.settings.replaceOverrides(stored.values)) {
      this.logger.log(
        `${key} is now ${JSON.stringify(this.settings.get(key))} (${this.settings.isOverridden(key) ? 'changed at runtime' : 'from the environment'})`,
      );
    }
    return stored;
  }

  private view(key: keyof AppEnv, entry: CatalogEntry, stored: StoredSettings): SettingView {
    const runtime = isRuntimeKey(key);
    const overridden = runtime && this.settings.isOverridden(key);
    const source: SettingSource = overridden ? 'runtime' : this.settings.isSetInEnvironment(key) ? 'environment' : 'default';
    return {
      key,
      group: entry.group,
      description: entry.description,
      runtime,
      input: entry.input,
      value: shown(key, runtime ? this.settings.get(key) : this.config.get(key)),
      source,
      environmentValue: shown(key, this.config.get(key)),
      defaultValue: shown(key, envDefault(key)),
      changedAt: overridden ? (stored.changedAt[key]?.toISOString() ?? null) : null,
    };
  }
}

function shown(key: keyof AppEnv, value: unknown): SettingValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && URL_KEYS_WITH_CREDENTIALS.has(key)) return withoutCredentials(value);
  return value as SettingValue;
}

function assign<K extends RuntimeKey>(target: Partial<RuntimeValues>, key: K, value: RuntimeValues[K]): void {
  target[key] = value;
}
