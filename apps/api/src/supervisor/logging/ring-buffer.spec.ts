import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it.each([
    [[1, 2], 5, [1, 2]],
    [[1, 2, 3, 4, 5], 2, [4, 5]],
    [[1, 2, 3, 4, 5, 6, 7], 3, [5, 6, 7]],
    [[1, 2, 3, 4, 5, 6, 7], 10, [3, 4, 5, 6, 7]],
    [[1, 2, 3], 0, []],
  ])('after pushing %p into 5 slots, the last %p are %p', (items, count, expected) => {
    const buffer = new RingBuffer<number>(5);
    items.forEach((item) => buffer.push(item));
    expect(buffer.last(count)).toEqual(expected);
    expect(buffer.size).toBe(Math.min(items.length, 5));
  });
});
