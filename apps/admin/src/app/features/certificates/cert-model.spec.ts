import { CertValidity, certValidity, countdown, formatSpan } from './cert-model';

const status = {
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2026-04-01T00:00:00.000Z',
  renewAt: '2026-03-02T00:00:00.000Z',
};

describe('certValidity', () => {
  it.each<[string, string, CertValidity]>([
    ['before it starts', '2025-12-31T00:00:00.000Z', 'not-yet-valid'],
    ['in its life', '2026-02-01T00:00:00.000Z', 'valid'],
    ['past the renewal time', '2026-03-10T00:00:00.000Z', 'renew-soon'],
    ['at expiry', '2026-04-01T00:00:00.000Z', 'expired'],
  ])('%s', (_, now, expected) => expect(certValidity(status, Date.parse(now))).toBe(expected));

  it('is none without a certificate', () => {
    expect(certValidity({ notBefore: null, notAfter: null, renewAt: null }, 0)).toBe('none');
  });
});

describe('formatSpan and countdown', () => {
  it.each([
    [30_000, '1 min'],
    [5 * 60_000, '5 min'],
    [(5 * 60 + 12) * 60_000, '5 h 12 min'],
    [(23 * 24 + 4) * 3_600_000, '23 d 4 h'],
  ])('%i ms → %s', (ms, expected) => expect(formatSpan(ms)).toBe(expected));

  it('says in how long, or how long ago', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(countdown('2026-01-03T02:00:00.000Z', now)).toBe('in 2 d 2 h');
    expect(countdown('2025-12-31T21:00:00.000Z', now)).toBe('3 h 0 min ago');
    expect(countdown(null, now)).toBeNull();
  });
});
