import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLogFile } from './rotating-log-file';

describe('RotatingLogFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rotating-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its directory and appends lines to what is already there', async () => {
    const path = join(dir, 'nested', 'svc.log');
    const first = new RotatingLogFile(path);
    first.write('one');
    await first.close();
    const second = new RotatingLogFile(path);
    second.write('two');
    await second.close();
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('rotates by size and keeps only the configured number of old files, newest first', async () => {
    const path = join(dir, 'svc.log');
    const file = new RotatingLogFile(path, { maxBytes: 10, keep: 2 });
    // Each line is 6 bytes with its newline: one line per file before the next one overflows.
    for (const line of ['line1', 'line2', 'line3', 'line4']) file.write(line);
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('line4\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('line3\n');
    expect(readFileSync(`${path}.2`, 'utf8')).toBe('line2\n');
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('counts a file left by an earlier run towards the size limit', async () => {
    const path = join(dir, 'svc.log');
    writeFileSync(path, 'x'.repeat(9));
    const file = new RotatingLogFile(path, { maxBytes: 10, keep: 1 });
    file.write('new');
    await file.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('x'.repeat(9));
    expect(readFileSync(path, 'utf8')).toBe('new\n');
  });

  it('reports a file system error once and keeps going without the file', () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const errors: Error[] = [];
    const file = new RotatingLogFile(join(dir, 'not-a-dir', 'svc.log'), undefined, (error) => errors.push(error));
    file.write('a');
    file.write('b');
    expect(errors).toHaveLength(1);
  });
});
