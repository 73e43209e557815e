import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIAL_KEYS, InvalidEnvironmentError, validateEnv } from './env.schema';
import { scrubCredentialsFromEnvironment } from './scrub-environment';

describe('credential settings from files (<KEY>_FILE)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'secret-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  it.each([
    ['API_KEY', 'key-from-a-file-0123456789', 'apiKey'],
    ['JWT_SECRET', 'j'.repeat(40), 'jwt'],
    ['ENCRYPTION_KEY', 'ab'.repeat(32), 'enc'],
    ['ENCRYPTION_KEY_PREVIOUS', 'cd'.repeat(32), 'enc-previous'],
    ['GITHUB_TOKEN', 'ghp_fromAFile', 'gh'],
    ['GITHUB_WEBHOOK_SECRET', 'hook-secret', 'hook'],
    ['CLOUDFLARE_TOKEN', 'cf-token', 'cf'],
    ['DATABASE_URL', 'postgres://mcp:pw@db:5432/mcp', 'db'],
    ['REDIS_URL', 'redis://:pw@redis:6379', 'redis'],
  ])('%s is read from %s_FILE, one trailing newline dropped', (key, value, name) => {
    const env = validateEnv({
      [`${key}_FILE`]: file(name, `${value}\n`),
    }) as unknown as Record<string, unknown>;
    expect(env[key]).toBe(value);
  });

  it('the file wins over the plain variable (docker-compose sets every key, to its default)', () => {
    expect(
      validateEnv({
        DATABASE_URL: '/data/x.db',
        DATABASE_URL_FILE: file('db', 'postgres://a:b@h/d'),
      }).DATABASE_URL,
    ).toBe('postgres://a:b@h/d');
  });

  it('a file that cannot be read is refused, naming the variable and never showing content', () => {
    expect(() => validateEnv({ API_KEY_FILE: join(dir, 'missing') })).toThrow(InvalidEnvironmentError);
    try {
      validateEnv({ API_KEY_FILE: join(dir, 'missing') });
    } catch (error) {
      expect((error as InvalidEnvironmentError).problems).toEqual([
        `API_KEY_FILE=${JSON.stringify(join(dir, 'missing'))} cannot be read (ENOENT)`,
      ]);
    }
  });

  it("a file's content is validated like the variable, and an invalid secret is not echoed", () => {
    const path = file('short', 'tooshort');
    try {
      validateEnv({ API_KEY_FILE: path });
      throw new Error('accepted');
    } catch (error) {
      expect((error as InvalidEnvironmentError).problems).toEqual(['API_KEY="<hidden>" must be at least 16 characters']);
    }
  });

  it('every credential key can come from a file', () => {
    expect([...CREDENTIAL_KEYS].sort()).toEqual(
      [
        'API_KEY',
        'CLOUDFLARE_TOKEN',
        'DATABASE_URL',
        'ENCRYPTION_KEY',
        'ENCRYPTION_KEY_PREVIOUS',
        'GITHUB_TOKEN',
        'GITHUB_WEBHOOK_SECRET',
        'JWT_SECRET',
        'OIDC_CLIENT_SECRET',
        'OTEL_EXPORTER_OTLP_HEADERS',
        'REDIS_URL',
      ].sort(),
    );
  });
});

describe('scrubCredentialsFromEnvironment', () => {
  it('removes every credential value from the environment given, keeps the rest and the *_FILE paths', () => {
    const env: Record<string, string | undefined> = {
      API_KEY: 'k',
      JWT_SECRET: 'j',
      DATABASE_URL: 'postgres://a:b@h/d',
      API_KEY_FILE: '/run/secrets/k',
      PATH: '/usr/bin',
      LOG_LEVEL: 'info',
    };
    scrubCredentialsFromEnvironment(env);
    expect(env).toEqual({
      API_KEY_FILE: '/run/secrets/k',
      PATH: '/usr/bin',
      LOG_LEVEL: 'info',
    });
  });
});
