import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../core/time/clock';
import { ProcFs } from './proc-fs';
import { statLine } from '../../../test/support/proc-fixtures';
import { ProcessSampler } from './process-sampler';

/** A directory laid out like /proc, read through the real ProcFs. */
function fakeProc(dir: string, processes: { stat: string; rssKb?: number }[], uptimeSeconds: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'uptime'), `${uptimeSeconds}.00 1000.00\n`);
  writeFileSync(join(dir, 'self'), '');
  for (const { stat, rssKb } of processes) {
    const pid = stat.split(' ')[0];
    mkdirSync(join(dir, pid));
    writeFileSync(join(dir, pid, 'stat'), stat);
    writeFileSync(join(dir, pid, 'status'), rssKb === undefined ? 'Name:\tx\n' : `Name:\tx\nVmRSS:\t  ${rssKb} kB\n`);
  }
}

describe('ProcessSampler (over a fake /proc)', () => {
  let dir: string;
  let now: number;
  let sampler: ProcessSampler;
  const clock = { now: () => now } as Clock;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'proc-')), 'proc');
    now = 1_000_000;
    sampler = new ProcessSampler(new ProcFs(dir), clock);
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('sums memory and CPU over the tree, and rates CPU between samples', async () => {
    // Started 10 s after boot; 20 s of uptime: 10 s old, 5 s of CPU so far (500 ticks) = 50%.
    fakeProc(
      dir,
      [
        { stat: statLine(100, 'npx', 'S', 1, 100, 100, 0, 1000), rssKb: 1000 },
        { stat: statLine(101, 'node', 'S', 100, 100, 300, 100, 1010), rssKb: 3000 },
        { stat: statLine(102, 'zombie', 'Z', 100, 100, 0, 0, 1020) },
        { stat: statLine(300, 'other', 'S', 1, 300, 999, 999, 10), rssKb: 999 },
      ],
      20,
    );
    const first = await sampler.sample([100]);
    expect(first.get(100)).toEqual({ rssBytes: 4000 * 1024, cpuPercent: 50, processCount: 2, sampledAt: now });

    // Two seconds later the tree used one more second of CPU: 50% over that interval.
    now += 2000;
    fakeProc(
      dir,
      [
        { stat: statLine(100, 'npx', 'S', 1, 100, 100, 0, 1000), rssKb: 1000 },
        { stat: statLine(101, 'node', 'S', 100, 100, 380, 120, 1010), rssKb: 5000 },
      ],
      22,
    );
    expect((await sampler.sample([100])).get(100)).toEqual({ rssBytes: 6000 * 1024, cpuPercent: 50, processCount: 2, sampledAt: now });
  });

  it('leaves out a tree whose root is gone, and reads nothing when there is nothing to sample', async () => {
    fakeProc(dir, [{ stat: statLine(5, 'x', 'S', 1, 5, 0, 0, 1), rssKb: 1 }], 10);
    expect((await sampler.sample([77])).size).toBe(0);
    expect((await sampler.sample([])).size).toBe(0);
  });

  it('returns nothing where there is no /proc', async () => {
    const none = new ProcessSampler(new ProcFs(join(dir, 'missing')), clock);
    expect((await none.sample([1])).size).toBe(0);
  });
});
