import { ServiceUnavailableException } from '@nestjs/common';
import { HashingSlots } from './hashing-slots';

describe('HashingSlots', () => {
  function gate(): { promise: Promise<void>; open: () => void } {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  }

  it('runs at most `concurrency` tasks at once, queues a few and refuses the rest with 503', async () => {
    const slots = new HashingSlots(2, 3, 10_000);
    const release = gate();
    let active = 0;
    let peak = 0;
    const task = async (): Promise<string> => {
      active++;
      peak = Math.max(peak, active);
      await release.promise;
      active--;
      return 'done';
    };
    const results = Array.from({ length: 10 }, () => slots.run(task).catch((error: unknown) => error));
    release.open();
    const settled = await Promise.all(results);
    expect(peak).toBe(2);
    expect(settled.filter((result) => result === 'done')).toHaveLength(5);
    expect(settled.filter((result) => result instanceof ServiceUnavailableException)).toHaveLength(5);
  });

  it('a task that waited too long is refused and leaves its place', async () => {
    const slots = new HashingSlots(1, 5, 50);
    const release = gate();
    const first = slots.run(() => release.promise);
    await expect(slots.run(() => Promise.resolve())).rejects.toBeInstanceOf(ServiceUnavailableException);
    release.open();
    await first;
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
