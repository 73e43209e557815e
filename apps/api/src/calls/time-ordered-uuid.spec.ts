import { timeOrderedUuid } from './time-ordered-uuid';

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const id = timeOrderedUuid(Date.UTC(2026, 11, 6, 2, 30));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 6, 2, 30));
  });

  it('sorts as text in the order it was made, and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => timeOrderedUuid(1_800_000_000_000 + Math.floor(index / 10)));
    const byTime = ids.map((id) => id.slice(0, 13));
    expect([...byTime].sort()).toEqual(byTime);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
