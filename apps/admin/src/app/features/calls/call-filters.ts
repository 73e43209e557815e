import type { CallOutcome, CallStatsRange } from '@mcp-proxy/shared/dto';

// Listed here, not imported: a value from the DTO module would bring its validation decorators into the browser bundle.
export const CALL_OUTCOME_CHOICES: readonly CallOutcome[] = ['ok', 'tool_error', 'error', 'timeout', 'cancelled'];
export const CALL_STATS_RANGE_CHOICES: readonly CallStatsRange[] = ['hour', 'day', 'month'];

/** What the filter form holds; dates are the `yyyy-mm-dd` of `<input type="date">`, in local time. */
export interface CallFilters {
  service: string;
  tool: string;
  principal: string;
  outcome: CallOutcome | '';
  from: string;
  to: string;
}

export const EMPTY_CALL_FILTERS: CallFilters = { service: '', tool: '', principal: '', outcome: '', from: '', to: '' };

/** Rows per page on screen; an export takes up to the API's 10,000 in one file. */
export const CALLS_PAGE_SIZE = 100;
export const CALLS_EXPORT_SIZE = 10_000;

/**
 * Query parameters of `GET /api/calls` for the filters: blanks left out, the "to" day included whole (the
 * API's `to` is exclusive, so it is the next midnight), `cursor` for the next page.
 */
export function callQueryParams(filters: CallFilters, limit: number, cursor?: string | null): Record<string, string> {
  const params: Record<string, string> = { limit: String(limit) };
  for (const key of ['service', 'tool', 'principal'] as const) if (filters[key].trim()) params[key] = filters[key].trim();
  if (filters.outcome) params['outcome'] = filters.outcome;
  const from = localMidnight(filters.from);
  if (from) params['from'] = from.toISOString();
  const to = localMidnight(filters.to);
  if (to) {
    to.setDate(to.getDate() + 1);
    params['to'] = to.toISOString();
  }
  if (cursor) params['cursor'] = cursor;
  return params;
}

function localMidnight(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Stored payload text shown readably: indented when it is whole JSON, as stored when it was cut. */
export function formatPayload(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** `0.125` → `12.5 %`. */
export function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toString()} %`;
}
