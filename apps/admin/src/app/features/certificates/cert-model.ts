import type { CertSource, CertStatusView } from '@mcp-proxy/shared/dto';
import type { StatusTone } from '../../shared/ui/status-chip/status-tone';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `none`: nothing served. `renew-soon`: past the renewal time, still valid. */
export type CertValidity = 'valid' | 'renew-soon' | 'expired' | 'not-yet-valid' | 'none';

export const VALIDITY_LABELS: Record<CertValidity, string> = {
  valid: 'valid',
  'renew-soon': 'due for renewal',
  expired: 'expired',
  'not-yet-valid': 'not yet valid',
  none: 'no certificate',
};

export const VALIDITY_TONES: Record<CertValidity, StatusTone> = {
  valid: 'positive',
  'renew-soon': 'progress',
  expired: 'negative',
  'not-yet-valid': 'negative',
  none: 'neutral',
};

export const SOURCE_LABELS: Record<CertSource, string> = {
  acme: 'a certificate from the ACME directory',
  'self-signed': 'a self-signed certificate',
};

function time(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

export function certValidity(status: Pick<CertStatusView, 'notBefore' | 'notAfter' | 'renewAt'>, now: number): CertValidity {
  const notAfter = time(status.notAfter);
  if (notAfter === null) return 'none';
  if (now >= notAfter) return 'expired';
  const notBefore = time(status.notBefore);
  if (notBefore !== null && now < notBefore) return 'not-yet-valid';
  const renewAt = time(status.renewAt);
  return renewAt !== null && now >= renewAt ? 'renew-soon' : 'valid';
}

/** A span of time in its two largest units: `23 d 4 h`, `5 h 12 min`, `3 min`. */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= DAY) return `${Math.floor(abs / DAY)} d ${Math.floor((abs % DAY) / HOUR)} h`;
  if (abs >= HOUR) return `${Math.floor(abs / HOUR)} h ${Math.floor((abs % HOUR) / MINUTE)} min`;
  return `${Math.max(1, Math.floor(abs / MINUTE))} min`;
}

/** `in 23 d 4 h` or `5 h 12 min ago`; null without a time. */
export function countdown(iso: string | null, now: number): string | null {
  const at = time(iso);
  if (at === null) return null;
  return at >= now ? `in ${formatSpan(at - now)}` : `${formatSpan(now - at)} ago`;
}
