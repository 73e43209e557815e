import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { AppConfig } from './app-config';
import { AppEnv, InvalidSettingValue, parseEnvValue } from './env.schema';

/**
 * The settings an administrator may change while the proxy runs (PATCH /api/settings). Each one is here
 * only because its consumer reads the live value (see README: Settings); the rest are environment-only.
 */
export const RUNTIME_KEYS = [
  'LOG_LEVEL',
  'API_RATE_LIMIT',
  'AUTH_FAILURE_LIMIT',
  'SESSION_TTL_MINUTES',
  'ALLOWED_HOSTS',
  'ENABLE_METRICS',
  'HEALTH_CHECK_TIMEOUT_SEC',
  'PROCESS_STOP_GRACE_SEC',
  'SERVICE_DEFAULT_RATE_LIMIT',
  'SERVICE_DEFAULT_CACHE',
  'SERVICE_DEFAULT_AUTO_RESTART',
  'SERVICE_DEFAULT_MAX_RESTARTS',
] as const satisfies readonly (keyof AppEnv)[];

export type RuntimeKey = (typeof RUNTIME_KEYS)[number];
export type RuntimeValues = Pick<AppEnv, RuntimeKey>;

/** Keys given a value by the environment (or `.env`) at start-up, as opposed to taking their built-in default. */
export const ENV_KEYS_SET = Symbol('ENV_KEYS_SET');

export function isRuntimeKey(key: string): key is RuntimeKey {
  return (RUNTIME_KEYS as readonly string[]).includes(key);
}

/**
 * Live values of the runtime settings: the stored override when there is one, else the environment's.
 * The store (SettingsModule) pushes overrides in; consumers read `get()` when they act, or subscribe
 * with `onChange()` when they hold state built from a value (the logger level, the Origin allow-list).
 */
@Injectable()
export class RuntimeSettings {
  private overrides: Partial<RuntimeValues> = {};
  private readonly changes = new EventEmitter();

  constructor(
    private readonly config: AppConfig,
    @Inject(ENV_KEYS_SET) private readonly setInEnvironment: ReadonlySet<string>,
  ) {
    // One listener per consumer and key; a few dozen at most.
    this.changes.setMaxListeners(100);
  }

  get<K extends RuntimeKey>(key: K): RuntimeValues[K] {
    return key in this.overrides ? (this.overrides[key] as RuntimeValues[K]) : this.config.get(key);
  }

  /** The value the environment (or the built-in default) gives: what a reset returns to. */
  environmentValue<K extends RuntimeKey>(key: K): RuntimeValues[K] {
    return this.config.get(key);
  }

  isOverridden(key: RuntimeKey): boolean {
    return key in this.overrides;
  }

  isSetInEnvironment(key: keyof AppEnv): boolean {
    return this.setInEnvironment.has(key);
  }

  /** Calls `listener` with the new value each time the live value of `key` changes; returns the unsubscribe. */
  onChange<K extends RuntimeKey>(key: K, listener: (value: RuntimeValues[K]) => void): () => void {
    this.changes.on(key, listener);
    return () => this.changes.off(key, listener);
  }

  /**
   * Replaces every override at once with what the store holds (keys left out fall back to the
   * environment), then tells the listeners of each key whose live value changed. Returns those keys.
   */
  replaceOverrides(next: Partial<RuntimeValues>): RuntimeKey[] {
    const before = Object.fromEntries(RUNTIME_KEYS.map((key) => [key, this.get(key)]));
    this.overrides = { ...next };
    const changed = RUNTIME_KEYS.filter((key) => !sameValue(before[key], this.get(key)));
    for (const key of changed) this.changes.emit(key, this.get(key));
    return changed;
  }
}

/**
 * Checks a value sent as JSON for a runtime key: its JSON type must match the key's (number, boolean,
 * text, list of text), then the environment's own rule applies (ranges, choices, host names), so a value
 * is accepted at runtime exactly when it would be accepted at start-up. Throws `InvalidSettingValue`.
 */
export function parseRuntimeValue<K extends RuntimeKey>(key: K, input: unknown, sample: RuntimeValues[K]): RuntimeValues[K] {
  if (Array.isArray(sample)) {
    if (!Array.isArray(input) || !input.every((item) => typeof item === 'string'))
      throw new InvalidSettingValue(key, 'must be a list of text values');
    return parseEnvValue(key, input.join(','));
  }
  if (typeof sample === 'number' && typeof input !== 'number') throw new InvalidSettingValue(key, 'must be a number');
  if (typeof sample === 'boolean' && typeof input !== 'boolean') throw new InvalidSettingValue(key, 'must be true or false');
  if (typeof sample === 'string' && typeof input !== 'string') throw new InvalidSettingValue(key, 'must be text');
  return parseEnvValue(key, String(input));
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
