import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemToolProbe } from './tool-probe';

describe('the host probe', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tool-probe-'));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds every executable of a name on a PATH, in order, and nothing that is not executable', () => {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'tool'), '#!/bin/sh\n', { mode: 0o644 });
    writeFileSync(join(dir, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    expect(systemToolProbe.findAll('tool', `${join(dir, 'a')}:relative:${join(dir, 'b')}`)).toEqual([join(dir, 'b', 'tool')]);
    expect(systemToolProbe.findAll(join(dir, 'b', 'tool'), '')).toEqual([join(dir, 'b', 'tool')]);
    expect(systemToolProbe.findAll('tool', '')).toEqual([]);
  });

  it('tells whether other users may run a program: not inside a directory closed to them', () => {
    mkdirSync(join(dir, 'open'), { mode: 0o755 });
    mkdirSync(join(dir, 'closed'), { mode: 0o700 });
    for (const sub of ['open', 'closed']) writeFileSync(join(dir, sub, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    expect(systemToolProbe.reachableByOthers(join(dir, 'open', 'tool'))).toBe(true);
    expect(systemToolProbe.reachableByOthers(join(dir, 'closed', 'tool'))).toBe(false);
    expect(systemToolProbe.reachableByOthers(join(dir, 'missing'))).toBe(false);
  });

  it('runs a probe with the environment given, and bounds its time', async () => {
    expect(
      await systemToolProbe.run('/bin/sh', ['-c', 'echo "$GREETING"; echo oops >&2; exit 3'], { timeoutMs: 5000, env: { GREETING: 'hi' } }),
    ).toEqual({
      code: 3,
      stdout: 'hi\n',
      stderr: 'oops\n',
    });
    const slow = await systemToolProbe.run('/bin/sh', ['-c', 'sleep 5'], { timeoutMs: 100, env: {} });
    expect(slow.code).toBeNull();
    expect((await systemToolProbe.run(join(dir, 'absent'), [], { timeoutMs: 1000, env: {} })).code).toBeNull();
  });
});
