import { CallLogQueue, type CallLogQueueOptions } from './call-log-queue';

/** A queue over a fake timer and a recording writer; `release()` lets a held write finish. */
function setup(overrides: Partial<CallLogQueueOptions<number>> = {}) {
  const batches: number[][] = [];
  const timers: { delayMs: number; task: () => void; cancelled: boolean }[] = [];
  let drops = 0;
  const errors: number[] = [];
  const queue = new CallLogQueue<number>({
    capacity: 10,
    batchSize: 4,
    flushEveryMs: 1000,
    write: async (rows) => {
      batches.push(rows);
    },
    onDrop: () => drops++,
    onError: (_error, lost) => errors.push(lost),
    schedule: (delayMs, task) => {
      const timer = { delayMs, task, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
    ...overrides,
  });
  const fire = (): void => timers.filter((timer) => !timer.cancelled).forEach((timer) => ((timer.cancelled = true), timer.task()));
  return { queue, batches, timers, fire, drops: () => drops, errors };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CallLogQueue', () => {
  it('writes nothing on push, then everything queued in one batch when the timer fires', async () => {
    const { queue, batches, timers, fire } = setup();
    queue.push(1);
    queue.push(2);
    expect(batches).toEqual([]);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.delayMs).toBe(1000);
    fire();
    await settle();
    expect(batches).toEqual([[1, 2]]);
    expect(queue.size).toBe(0);
  });

  it('writes a full batch at once, without waiting for the timer', async () => {
    const { queue, batches } = setup();
    for (const row of [1, 2, 3, 4]) queue.push(row);
    await settle();
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('splits what is queued into batches of at most batchSize', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batches: number[][] = [];
    const { queue } = setup({
      write: async (rows) => {
        batches.push(rows);
        if (batches.length === 1) await held;
      },
    });
    for (const row of [1, 2, 3, 4, 5, 6, 7, 8, 9]) queue.push(row);
    release();
    await queue.flush();
    expect(batches).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
  });

  it('drops and counts rows beyond its capacity while the database is slow', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { queue, drops } = setup({ batchSize: 100, write: () => held });
    for (let row = 0; row < 10; row++) expect(queue.push(row)).toBe(true);
    expect(queue.push(10)).toBe(false);
    expect(queue.push(11)).toBe(false);
    expect(drops()).toBe(2);
    expect(queue.dropped).toBe(2);
    expect(queue.size).toBe(10);
    release();
    await queue.flush();
  });

  it('reports a failed batch as lost and goes on with the next', async () => {
    const batches: number[][] = [];
    const { queue, errors } = setup({
      write: async (rows) => {
        if (rows[0] === 1) throw new Error('database is locked');
        batches.push(rows);
      },
    });
    for (const row of [1, 2, 3, 4, 5]) queue.push(row);
    await queue.flush();
    expect(errors).toEqual([4]);
    expect(batches).toEqual([[5]]);
  });

  it('writes everything still queued on stop, and takes nothing after', async () => {
    const { queue, batches, drops } = setup();
    queue.push(1);
    queue.push(2);
    await queue.stop();
    expect(batches).toEqual([[1, 2]]);
    expect(queue.push(3)).toBe(false);
    expect(drops()).toBe(1);
  });
});
