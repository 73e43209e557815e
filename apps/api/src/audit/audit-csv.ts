import type { AuditEventView } from '@mcp-proxy/shared/dto';

const COLUMNS = [
  'at',
  'actor',
  'actorKind',
  'action',
  'outcome',
  'target',
  'address',
  'actorName',
  'targetName',
  'targetKind',
  'detail',
] as const;

/** RFC 4180 CSV, one event per line, with a header. */
export function auditCsv(events: AuditEventView[]): string {
  const lines = [COLUMNS.join(',')];
  for (const event of events) {
    lines.push(
      COLUMNS.map((column) => csvCell(column === 'detail' ? (event.detail ? JSON.stringify(event.detail) : '') : event[column])).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Quotes when needed, and defuses values a spreadsheet would run as a formula (an actor or a path
 * is partly chosen by whoever made the request). Shared by every CSV export (the call log's too).
 */
export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
