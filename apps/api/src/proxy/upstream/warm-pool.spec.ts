import type { ChildHandle } from '../../supervisor/child-handle';
import { WarmPool, type WarmChild } from './warm-pool';

/** A child whose exit the test decides. */
function fakeChild(pid: number): WarmChild & { exit: () => void } {
  let exit = (): void => undefined;
  const exited = new Promise<never>((resolve) => (exit = () => resolve(undefined as never)));
  const handle = { pid, exited } as unknown as ChildHandle;
  return { handle, identity: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'x', version: '1' } }, exit };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WarmPool', () => {
  let pid = 0;
  let started: ReturnType<typeof fakeChild>[] = [];
  let stopped: number[] = [];
  let failNext = 0;
  const errors: unknown[] = [];

  function pool(min: number): WarmPool {
    return new WarmPool({
      min,
      start: async () => {
        if (failNext > 0) {
          failNext--;
          throw new Error('cannot start');
        }
        const child = fakeChild(++pid);
        started.push(child);
        return child;
      },
      stop: (handle) => void stopped.push(handle.pid ?? -1),
      onError: (error) => void errors.push(error),
      retryMs: 1_000,
    });
  }

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    pid = 0;
    started = [];
    stopped = [];
    failNext = 0;
    errors.length = 0;
  });

  afterEach(() => jest.useRealTimers());

  it('keeps min children ready and starts the next one behind each taken', async () => {
    const warm = pool(2);
    await settle();
    expect(warm.readyCount).toBe(2);
    expect((await warm.take())?.handle.pid).toBe(1);
    await settle();
    expect(warm.readyCount).toBe(2);
    expect(started.map((child) => child.handle.pid)).toEqual([1, 2, 3]);
  });

  it('hands a session the child still starting rather than starting another', async () => {
    const warm = pool(1);
    expect((await warm.take())?.handle.pid).toBe(1);
    await settle();
    expect(warm.readyCount).toBe(1);
    expect(started).toHaveLength(2);
  });

  it('answers null when nothing is on its way (the child limit reached, a start failed)', async () => {
    failNext = 1;
    const warm = pool(1);
    expect(await warm.take()).toBeNull();
    expect(await warm.take()).toBeNull();
  });

  it('replaces a ready child that exits, after a pause', async () => {
    const warm = pool(1);
    await settle();
    started[0].exit();
    await settle();
    expect(warm.readyCount).toBe(0);
    jest.advanceTimersByTime(1_000);
    await settle();
    expect(warm.readyCount).toBe(1);
    expect(started).toHaveLength(2);
  });

  it('after a failed start waits before trying again, instead of spawning in a loop', async () => {
    failNext = 1;
    const warm = pool(1);
    await settle();
    expect(errors).toHaveLength(1);
    expect(warm.readyCount).toBe(0);
    expect(await warm.take()).toBeNull();
    await settle();
    expect(started).toHaveLength(0);
    jest.advanceTimersByTime(1_000);
    await settle();
    expect(warm.readyCount).toBe(1);
  });

  it('close stops the ready children, and a child still starting when it closed', async () => {
    const warm = pool(2);
    await settle();
    await warm.take();
    warm.close();
    await settle();
    expect(stopped.sort()).toEqual([2, 3]);
    expect(warm.readyCount).toBe(0);
  });
});
