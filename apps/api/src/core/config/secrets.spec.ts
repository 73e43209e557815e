import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSecrets, SECRETS_FILE } from './secrets';

describe('loadOrCreateSecrets', () => {
  let dir: string;
  beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'data')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the three secrets on first start, stores them with mode 0600 and reports the new key once', () => {
    const first = loadOrCreateSecrets(dir, {});
    expect(first.generatedApiKey).toBe(first.secrets.apiKey);
    expect(first.secrets.apiKey.length).toBeGreaterThanOrEqual(32);
    expect(first.secrets.encryptionKey).toHaveLength(32);
    expect(statSync(join(dir, SECRETS_FILE)).mode & 0o777).toBe(0o600);

    const second = loadOrCreateSecrets(dir, {});
    expect(second.generatedApiKey).toBeUndefined();
    expect(second.secrets).toEqual(first.secrets);
  });

  it('keeps other users out of the data dir, whatever mode it was created with', () => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    loadOrCreateSecrets(dir, {});
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('prefers values from the environment and does not write them to disk', () => {
    const apiKey = 'k'.repeat(32);
    const { secrets, generatedApiKey } = loadOrCreateSecrets(dir, { API_KEY: apiKey, ENCRYPTION_KEY: '11'.repeat(32) });
    expect(secrets.apiKey).toBe(apiKey);
    expect(secrets.encryptionKey.toString('hex')).toBe('11'.repeat(32));
    expect(generatedApiKey).toBeUndefined();
    expect(readFileSync(join(dir, SECRETS_FILE), 'utf8')).not.toContain(apiKey);
  });
});
