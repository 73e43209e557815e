import { formatUptime } from './format-uptime';

describe('formatUptime', () => {
  it.each([
    [0, '0 s'],
    [42.9, '42 s'],
    [185, '3 min 5 s'],
    [7_620, '2 h 7 min'],
    [349_200, '4 d 1 h'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
  ])('formats %s seconds as %s', (seconds, expected) => {
    expect(formatUptime(seconds)).toBe(expected);
  });
});
