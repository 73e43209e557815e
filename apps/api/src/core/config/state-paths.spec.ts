import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStatePath } from './state-paths';

describe('defaultStatePath', () => {
  const previous = process.cwd();
  let cwd: string;
  let dataDir: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'state-paths-'));
    dataDir = join(cwd, 'elsewhere', 'state');
    process.chdir(cwd);
  });
  afterAll(() => process.chdir(previous));

  it('is the place under DATA_DIR when nothing older exists', () => {
    expect(defaultStatePath('DATABASE_URL', dataDir)).toEqual({
      path: join(dataDir, 'mcp-proxy.db'),
      notice: null,
    });
    expect(defaultStatePath('LOG_DIR', dataDir)).toEqual({
      path: join(dataDir, 'logs'),
      notice: null,
    });
    expect(defaultStatePath('CLONE_DIRECTORY', dataDir)).toEqual({
      path: join(dataDir, 'clones'),
      notice: null,
    });
  });

  it('keeps what an older install has at the former defaults, saying how to move it', () => {
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'mcp-proxy.db'), '');
    mkdirSync(join(cwd, 'logs'));
    mkdirSync(join(cwd, 'mcp-services'));
    const database = defaultStatePath('DATABASE_URL', dataDir);
    expect(database.path).toBe('./data/mcp-proxy.db');
    expect(database.notice).toBe(
      `Using the existing SQLite database at ${join(cwd, 'data', 'mcp-proxy.db')}: the default is now ${join(dataDir, 'mcp-proxy.db')}. Move it there (with its -wal and -shm files, if any) while the proxy is stopped, or set DATABASE_URL=${join(cwd, 'data', 'mcp-proxy.db')} to keep it where it is.`,
    );
    expect(defaultStatePath('LOG_DIR', dataDir).path).toBe('./logs');
    expect(defaultStatePath('CLONE_DIRECTORY', dataDir).path).toBe('./mcp-services');
  });

  it('prefers the new place once it exists, and needs no notice when both are the same', () => {
    mkdirSync(join(cwd, 'logs'));
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    expect(defaultStatePath('LOG_DIR', dataDir)).toEqual({
      path: join(dataDir, 'logs'),
      notice: null,
    });
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'mcp-proxy.db'), '');
    expect(defaultStatePath('DATABASE_URL', './data')).toEqual({
      path: './data/mcp-proxy.db',
      notice: null,
    });
  });
});
