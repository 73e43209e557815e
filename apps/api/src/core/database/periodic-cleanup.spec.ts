import { PeriodicCleanup } from './periodic-cleanup';

describe('PeriodicCleanup', () => {
  it('runs at start, and stop() waits for the run in progress before it resolves', async () => {
    const events: string[] = [];
    let finish: () => void = () => undefined;
    const cleanup = new PeriodicCleanup(60_000, async () => {
      events.push('run started');
      await new Promise<void>((resolve) => (finish = resolve));
      events.push('run finished');
    });
    cleanup.start();
    const stopped = cleanup.stop().then(() => events.push('stopped'));
    await Promise.resolve();
    expect(events).toEqual(['run started']);
    finish();
    await stopped;
    expect(events).toEqual(['run started', 'run finished', 'stopped']);
  });

  it('never overlaps runs, and a failing run does not stop the next ones', async () => {
    jest.useFakeTimers();
    try {
      let active = 0;
      let most = 0;
      let runs = 0;
      const cleanup = new PeriodicCleanup(10, async () => {
        runs++;
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 25));
        active--;
        if (runs === 1) throw new Error('database busy');
      });
      cleanup.start();
      await jest.advanceTimersByTimeAsync(200);
      const stopped = cleanup.stop();
      await jest.advanceTimersByTimeAsync(50);
      await stopped;
      expect(most).toBe(1);
      expect(runs).toBeGreaterThan(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
