import type { ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config';
import { AppEnv, InvalidSettingValue, validateEnv } from './env.schema';
import { parseRuntimeValue, RuntimeSettings } from './runtime-settings';

function settingsFor(raw: Record<string, string>): RuntimeSettings {
  const env = validateEnv(raw);
  const config = new AppConfig({ get: (key: keyof AppEnv) => env[key] } as unknown as ConfigService<AppEnv, true>);
  return new RuntimeSettings(config, new Set(Object.keys(raw)));
}

describe('RuntimeSettings', () => {
  it('gives the environment value until an override is applied, and the environment value again after it is dropped', () => {
    const settings = settingsFor({ LOG_LEVEL: 'warn' });
    expect(settings.get('LOG_LEVEL')).toBe('warn');
    expect(settings.isSetInEnvironment('LOG_LEVEL')).toBe(true);
    expect(settings.isSetInEnvironment('API_RATE_LIMIT')).toBe(false);

    settings.replaceOverrides({ LOG_LEVEL: 'debug' });
    expect(settings.get('LOG_LEVEL')).toBe('debug');
    expect(settings.isOverridden('LOG_LEVEL')).toBe(true);
    expect(settings.environmentValue('LOG_LEVEL')).toBe('warn');

    settings.replaceOverrides({});
    expect(settings.get('LOG_LEVEL')).toBe('warn');
    expect(settings.isOverridden('LOG_LEVEL')).toBe(false);
  });

  it('tells listeners of exactly the keys whose live value changed', () => {
    const settings = settingsFor({});
    const heard: unknown[] = [];
    const stop = settings.onChange('ALLOWED_HOSTS', (hosts) => heard.push(hosts));
    settings.onChange('API_RATE_LIMIT', (limit) => heard.push(limit));

    expect(settings.replaceOverrides({ ALLOWED_HOSTS: ['a.example'] })).toEqual(['ALLOWED_HOSTS']);
    // The same value again, or an override equal to the environment's value: no news.
    expect(settings.replaceOverrides({ ALLOWED_HOSTS: ['a.example'], API_RATE_LIMIT: 600 })).toEqual([]);
    expect(settings.replaceOverrides({ API_RATE_LIMIT: 7 })).toEqual(['API_RATE_LIMIT', 'ALLOWED_HOSTS']);
    stop();
    settings.replaceOverrides({ ALLOWED_HOSTS: ['b.example'] });
    expect(heard).toEqual([['a.example'], 7, [], 600]);
  });
});

describe('parseRuntimeValue', () => {
  it.each([
    ['LOG_LEVEL', 'debug', 'info', 'debug'],
    ['API_RATE_LIMIT', 1, 600, 1],
    ['API_RATE_LIMIT', 1_000_000, 600, 1_000_000],
    ['SERVICE_DEFAULT_RATE_LIMIT', 0, 100, 0],
    ['ENABLE_METRICS', false, true, false],
    ['ALLOWED_HOSTS', ['a.example', ' b.example '], [], ['a.example', 'b.example']],
    ['ALLOWED_HOSTS', [], ['x.example'], []],
  ] as const)('accepts %s = %j', (key, input, sample, expected) => {
    expect(parseRuntimeValue(key, input, sample as never)).toEqual(expected);
  });

  it.each([
    ['LOG_LEVEL', 'loud', 'info', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    ['LOG_LEVEL', 3, 'info', 'LOG_LEVEL must be text'],
    ['API_RATE_LIMIT', 0, 600, 'API_RATE_LIMIT must be a whole number from 1 to 1000000'],
    ['API_RATE_LIMIT', 2.5, 600, 'API_RATE_LIMIT must be a whole number from 1 to 1000000'],
    ['API_RATE_LIMIT', '10', 600, 'API_RATE_LIMIT must be a number'],
    ['SESSION_TTL_MINUTES', -1, 720, 'SESSION_TTL_MINUTES must be a whole number from 1 to 43200'],
    ['ENABLE_METRICS', 'true', true, 'ENABLE_METRICS must be true or false'],
    ['ALLOWED_HOSTS', 'a.example', [], 'ALLOWED_HOSTS must be a list of text values'],
    ['ALLOWED_HOSTS', ['a.example', 'bad host'], [], 'ALLOWED_HOSTS must be a domain name'],
    ['HEALTH_CHECK_TIMEOUT_SEC', 301, 10, 'HEALTH_CHECK_TIMEOUT_SEC must be a whole number from 1 to 300'],
  ] as const)('refuses %s = %j with a message naming the key', (key, input, sample, message) => {
    expect(() => parseRuntimeValue(key, input, sample as never)).toThrow(new InvalidSettingValue(key, message.slice(key.length + 1)));
  });
});
