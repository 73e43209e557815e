import { addCounts, countsSince, denseCounts, parseCounts } from './latency-counts';

describe('latency counts', () => {
  it.each([
    ['counts what was added since the last snapshot', [1, 4, 0, 2], [1, 1, 0, 0], { 1: 3, 3: 2 }],
    ['takes everything when there was no snapshot', [0, 2], undefined, { 1: 2 }],
    ['finds nothing when nothing changed', [3, 3], [3, 3], {}],
  ])('%s', (_, after, before, expected) => {
    expect(countsSince(after, before)).toEqual(expected);
  });

  it('adds, densifies and survives a broken stored value', () => {
    const merged = addCounts({ 1: 2 }, { 1: 1, 4: 5 });
    expect(merged).toEqual({ 1: 3, 4: 5 });
    expect(denseCounts(merged, 5)).toEqual([0, 3, 0, 0, 5]);
    expect(denseCounts({ 9: 1, x: 2 }, 3)).toEqual([0, 0, 0]);
    expect(parseCounts(JSON.stringify(merged))).toEqual(merged);
    expect(parseCounts('not json')).toEqual({});
    expect(parseCounts('[1,2]')).toEqual({});
  });
});
