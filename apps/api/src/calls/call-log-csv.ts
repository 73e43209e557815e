import type { CallLogView } from '@mcp-proxy/shared/dto';
import { csvCell } from '../audit/audit-csv';

const COLUMNS: readonly (keyof CallLogView)[] = [
  'at',
  'instance',
  'principalKind',
  'principalId',
  'principalLabel',
  'clientName',
  'clientVersion',
  'endpoint',
  'serviceId',
  'serviceName',
  'method',
  'tool',
  'originalTool',
  'durationMs',
  'outcome',
  'errorCode',
  'requestBytes',
  'responseBytes',
  'argumentsSha256',
];

/** RFC 4180 CSV of recorded calls, one per line, with a header; cells defused like the audit export's. */
export function callLogCsv(calls: CallLogView[]): string {
  const lines = [COLUMNS.join(',')];
  for (const call of calls) lines.push(COLUMNS.map((column) => csvCell(call[column] === null ? null : String(call[column]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
