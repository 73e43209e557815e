import { formatBytes, formatDuration, formatMs, formatPercent, formatRatio, secondsSince } from './units';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [69_484_544, '66.3 MiB'],
    [5 * 1024 ** 3, '5.00 GiB'],
    [null, '—'],
    [-1, '—'],
  ])('%s → %s', (bytes, expected) => expect(formatBytes(bytes)).toBe(expected));
});

describe('formatPercent / formatRatio / formatMs', () => {
  it('formats figures and says — when unknown', () => {
    expect(formatPercent(21)).toBe('21.0 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatRatio(0.025)).toBe('2.5 %');
    expect(formatRatio(undefined)).toBe('—');
    expect(formatMs(0.42)).toBe('0.4 ms');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(formatMs(null)).toBe('—');
  });
});

describe('secondsSince', () => {
  const now = Date.parse('2026-01-01T00:01:05.500Z');
  it.each([
    ['2026-01-01T00:00:00.000Z', 65],
    ['2026-01-01T00:02:00.000Z', 0],
    [null, null],
    ['not a date', null],
  ])('%s → %s', (startedAt, expected) => expect(secondsSince(startedAt, now)).toBe(expected));
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [450.4, '450 ms'],
    [1_234, '1.2 s'],
    [59_940, '59.9 s'],
    [185_000, '3 min 5 s'],
    [null, '—'],
    [-5, '—'],
  ])('%s → %s', (ms, expected) => expect(formatDuration(ms)).toBe(expected));
});
