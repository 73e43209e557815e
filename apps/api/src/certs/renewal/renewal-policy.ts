const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Renew this long before expiry… */
export const RENEW_BEFORE_MS = 30 * DAY;
/** …or, for certificates that live less than 90 days, when a third of their life is left (Let's Encrypt's own advice). */
const SHORT_LIFE_SHARE = 1 / 3;

export const DAILY_CHECK_MS = DAY;
/** Spread of the daily check, so a fleet started at the same time does not hit the CA at the same second. */
const DAILY_JITTER_MS = HOUR;

/** First retry after a failed order; doubles per failure up to the cap. Slow enough for the CA's failed-validation limit (5 an hour). */
export const RETRY_BASE_MS = 2 * MINUTE;
export const RETRY_MAX_MS = 6 * HOUR;

/** When a certificate valid from `notBefore` to `notAfter` is due for renewal. */
export function renewalDue(notBefore: Date, notAfter: Date): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - Math.min(RENEW_BEFORE_MS, lifetime * SHORT_LIFE_SHARE));
}

/**
 * Milliseconds until the next look at the certificate: at its renewal time if that comes before
 * tomorrow's check, else tomorrow's check, moved by up to an hour either way. `random` is in [0, 1).
 */
export function nextCheckDelay(now: number, renewAt: Date | undefined, random: number): number {
  const daily = DAILY_CHECK_MS + (random * 2 - 1) * DAILY_JITTER_MS;
  if (!renewAt) return daily;
  return Math.max(0, Math.min(renewAt.getTime() - now, daily));
}

/** Back-off before retry number `failures` (1 after the first failure), ±10 % so retries of many hosts spread out. */
export function retryDelay(failures: number, random: number): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.9 + random * 0.2));
}
