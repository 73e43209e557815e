import type { AuditOutcome } from '@mcp-proxy/shared/dto';

/** What the filter form holds; dates are the `yyyy-mm-dd` of `<input type="date">`, in local time. */
export interface AuditFilters {
  actor: string;
  action: string;
  outcome: AuditOutcome | '';
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  actor: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

/**
 * Query parameters of `GET /api/audit` (and its export) for the filters: blanks left out, the
 * "to" day included whole (the API's `until` is exclusive, so it is the next midnight).
 */
export function auditQueryParams(filters: AuditFilters, page?: { index: number; size: number }): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.actor.trim()) params['actor'] = filters.actor.trim();
  if (filters.action.trim()) params['action'] = filters.action.trim();
  if (filters.outcome) params['outcome'] = filters.outcome;
  const since = localMidnight(filters.from);
  if (since) params['since'] = since.toISOString();
  const until = localMidnight(filters.to);
  if (until) {
    until.setDate(until.getDate() + 1);
    params['until'] = until.toISOString();
  }
  if (page) {
    params['limit'] = String(page.size);
    params['offset'] = String(page.index * page.size);
  }
  return params;
}

function localMidnight(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A short text for the detail column: the status and reason of a refusal, the fields of a change. */
export function describeAuditDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(
      ([key, value]) =>
        `${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}
