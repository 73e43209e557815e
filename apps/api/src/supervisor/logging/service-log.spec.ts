import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceLogLine } from '../child-handle';
import { RotatingLogFile } from './rotating-log-file';
import { levelOf, ServiceLog } from './service-log';

describe('ServiceLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'service-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function makeLog(file: RotatingLogFile | null = null, capacity = 3): { log: ServiceLog; announced: ServiceLogLine[] } {
    const announced: ServiceLogLine[] = [];
    const log = new ServiceLog('id-1', 'svc', {
      capacity,
      maxLineLength: 20,
      file,
      onLine: (line) => announced.push(line),
      now: () => Date.UTC(2026, 0, 2),
    });
    return { log, announced };
  }

  it('masks secret values before it stores, writes or announces a line', async () => {
    const file = new RotatingLogFile(join(dir, 'svc.log'));
    const { log, announced } = makeLog(file);
    log.setSecrets(['s3cr3t-value']);
    const stored = log.append('stderr', 'key=s3cr3t-value');
    expect(stored).toEqual({
      serviceId: 'id-1',
      serviceName: 'svc',
      time: '2026-01-02T00:00:00.000Z',
      stream: 'stderr',
      level: 'info',
      text: 'key=********',
    });
    expect(announced).toEqual([stored]);
    expect(log.tail(10)).toEqual([stored]);
    await log.close();
    expect(readFileSync(join(dir, 'svc.log'), 'utf8')).toBe('2026-01-02T00:00:00.000Z stderr key=********\n');
  });

  it('cuts long lines after masking, so a secret is never half shown', () => {
    const { log } = makeLog();
    log.setSecrets(['abcdefghijklmnopqrstuvwxyz']);
    expect(log.append('stderr', 'x abcdefghijklmnopqrstuvwxyz tail of the line').text).toBe(
      'x ******** tail of t… [7 more characters cut]',
    );
  });

  it('keeps only the newest lines in memory', () => {
    const { log } = makeLog(null, 3);
    ['1', '2', '3', '4'].forEach((text) => log.append('stderr', text));
    expect(log.tail(10).map((line) => line.text)).toEqual(['2', '3', '4']);
    expect(log.tail(1).map((line) => line.text)).toEqual(['4']);
  });

  it.each([
    ['stderr', 'Server started on stdio', 'info'],
    ['stderr', 'Error: ENOENT no such file', 'error'],
    ['stderr', 'Uncaught exception in handler', 'error'],
    ['stderr', 'Warning: deprecated option', 'warn'],
    ['stdout', 'WARN low memory', 'warn'],
    ['system', 'error-looking system note', 'info'],
    ['stderr', 'errors=0 terrorist', 'info'],
  ] as const)('%s line %p is %s', (stream, text, level) => {
    expect(levelOf(stream, text)).toBe(level);
  });
});
