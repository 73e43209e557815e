import { ENV_SCHEMA, isSecretEnvKey, parseEnvValue } from '../core/config/env.schema';
import { RUNTIME_KEYS } from '../core/config/runtime-settings';
import { SETTINGS_CATALOG, withoutCredentials } from './settings-catalog';

describe('the settings catalog', () => {
  const envKeys = Object.keys(ENV_SCHEMA);

  it('lists every key of the environment except the secrets (add a new key here, or mark it secret)', () => {
    const unlisted = envKeys.filter((key) => !(key in SETTINGS_CATALOG) && !isSecretEnvKey(key));
    expect(unlisted).toEqual([]);
  });

  it('never lists a secret', () => {
    expect(Object.keys(SETTINGS_CATALOG).filter((key) => isSecretEnvKey(key))).toEqual([]);
  });

  it('lists every runtime key', () => {
    expect(RUNTIME_KEYS.filter((key) => !(key in SETTINGS_CATALOG))).toEqual([]);
  });

  it.each(Object.entries(SETTINGS_CATALOG).filter(([, entry]) => entry?.input.type === 'integer'))(
    "%s: the form's range is the environment's",
    (key, entry) => {
      if (entry?.input.type !== 'integer') throw new Error('not an integer');
      const { min, max } = entry.input;
      const name = key as keyof typeof ENV_SCHEMA;
      expect(parseEnvValue(name, String(min))).toBe(min);
      expect(parseEnvValue(name, String(max))).toBe(max);
      if (min > 0) expect(() => parseEnvValue(name, String(min - 1))).toThrow();
      expect(() => parseEnvValue(name, String(max + 1))).toThrow();
    },
  );

  it.each([
    ['postgres://proxy:s3cret@db.example:5432/mcp', 'postgres://db.example:5432/mcp'],
    ['postgres://db.example/mcp?sslmode=require&password=s3cret', 'postgres://db.example/mcp?sslmode=require'],
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['./data/mcp-proxy.db', './data/mcp-proxy.db'],
  ])('shows %s as %s', (value, shown) => {
    expect(withoutCredentials(value)).toBe(shown);
  });
});
