import { DAILY_CHECK_MS, nextCheckDelay, renewalDue, retryDelay, RETRY_MAX_MS } from './renewal-policy';

const DAY = 86_400_000;
const at = (iso: string): Date => new Date(iso);

describe('renewalDue', () => {
  it.each([
    ['a 90-day certificate: 30 days before expiry', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-02T00:00:00Z'],
    ['a one-year certificate: 30 days before expiry', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-12-02T00:00:00Z'],
    ['a 6-day certificate: with 2 days left', '2026-01-01T00:00:00Z', '2026-01-07T00:00:00Z', '2026-01-05T00:00:00Z'],
    ['a 30-second test certificate: with 10 seconds left', '2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z', '2026-01-01T00:00:20Z'],
  ])('%s', (_case, notBefore, notAfter, due) => {
    expect(renewalDue(at(notBefore), at(notAfter)).toISOString()).toBe(at(due).toISOString());
  });
});

describe('nextCheckDelay', () => {
  const now = at('2026-01-01T00:00:00Z').getTime();

  it.each([
    ['no certificate date: the daily check, earliest', undefined, 0, DAILY_CHECK_MS - 3_600_000],
    ['no certificate date: the daily check, latest', undefined, 0.999999, DAILY_CHECK_MS + 3_600_000],
    ['renewal in two hours: then', at('2026-01-01T02:00:00Z'), 0.5, 2 * 3_600_000],
    ['renewal in a week: tomorrow', at('2026-01-08T00:00:00Z'), 0.5, DAILY_CHECK_MS],
    ['renewal overdue: now', at('2025-12-01T00:00:00Z'), 0.5, 0],
  ])('%s', (_case, renewAt, random, expected) => {
    expect(nextCheckDelay(now, renewAt, random)).toBeCloseTo(expected, -3);
  });
});

describe('retryDelay', () => {
  it('doubles from two minutes and stops at six hours', () => {
    expect([1, 2, 3, 4].map((failures) => retryDelay(failures, 0.5))).toEqual([120_000, 240_000, 480_000, 960_000]);
    expect(retryDelay(30, 0.5)).toBe(RETRY_MAX_MS);
  });

  it('spreads by ten percent either way', () => {
    expect(retryDelay(1, 0)).toBe(108_000);
    expect(retryDelay(1, 0.999999)).toBeLessThanOrEqual(132_000);
    expect(DAY).toBeGreaterThan(RETRY_MAX_MS);
  });
});
