import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceDirectories } from './service-directories';

describe('ServiceDirectories.letThroughFrom', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'service-dirs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const mode = (path: string): number => statSync(path).mode & 0o777;

  it('opens the private data directory for passage (never listing) when the clones are inside it, and touches nothing else', () => {
    const data = join(root, 'data');
    mkdirSync(join(data, 'certs'), { recursive: true, mode: 0o700 });
    chmodSync(data, 0o700);
    writeFileSync(join(data, 'secrets.json'), '{}', { mode: 0o600 });
    new ServiceDirectories(join(data, 'clones')).letThroughFrom(data);
    expect(mode(data)).toBe(0o711);
    expect(mode(join(data, 'certs'))).toBe(0o700);
    expect(mode(join(data, 'secrets.json'))).toBe(0o600);
  });

  it('leaves the data directory alone when the clones are elsewhere', () => {
    const data = join(root, 'data');
    mkdirSync(data, { mode: 0o700 });
    chmodSync(data, 0o700);
    new ServiceDirectories(join(root, 'clones')).letThroughFrom(data);
    expect(mode(data)).toBe(0o700);
  });
});
