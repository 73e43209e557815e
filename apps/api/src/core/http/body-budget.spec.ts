import { BodyBudget } from './body-budget';

/** Whether `promise` has settled after the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('BodyBudget', () => {
  it('grants while there is room, then serves waiters in arrival order as bytes come back', async () => {
    const budget = new BodyBudget(10, 60_000);
    const first = await budget.reserve(6);
    const second = budget.reserve(6);
    const third = budget.reserve(2);
    // The small one does not overtake the one that came before it.
    expect(await settled(second)).toBe(false);
    expect(await settled(third)).toBe(false);
    expect(budget.reserved).toBe(6);

    first();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
    expect(budget.reserved).toBe(8);
    (await second)();
    (await third)();
    expect(budget.reserved).toBe(0);
  });

  it('reads a body larger than the whole budget alone', async () => {
    const budget = new BodyBudget(10, 60_000);
    const small = await budget.reserve(4);
    const huge = budget.reserve(50);
    expect(await settled(huge)).toBe(false);
    small();
    const returnHuge = await huge;
    expect(budget.reserved).toBe(50);
    const next = budget.reserve(1);
    expect(await settled(next)).toBe(false);
    returnHuge();
    expect(await settled(next)).toBe(true);
  });

  it('gives bytes back once however often it is told', async () => {
    const budget = new BodyBudget(10, 60_000);
    const give = await budget.reserve(7);
    const other = await budget.reserve(3);
    give();
    give();
    expect(budget.reserved).toBe(3);
    other();
    expect(budget.reserved).toBe(0);
  });

  it('lets a body that waited too long be read anyway, counted', async () => {
    jest.useFakeTimers();
    try {
      const budget = new BodyBudget(10, 5000);
      const holder = await budget.reserve(10);
      const late = budget.reserve(4);
      jest.advanceTimersByTime(4999);
      await Promise.resolve();
      expect(budget.reserved).toBe(10);
      jest.advanceTimersByTime(1);
      const returnLate = await late;
      expect(budget.reserved).toBe(14);
      returnLate();
      holder();
      expect(budget.reserved).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
