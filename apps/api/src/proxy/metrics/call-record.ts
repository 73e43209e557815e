/**
 * What the call log keeps of one finished MCP call, made from the session's in-flight entry where every call
 * ends (ClientSession.finish or drop), whatever the transport, group or upstream. Pure: the proxy builds the
 * record, the calls module (CALL_RECORDER) queues and writes it off the hot path. Arguments and results are not
 * kept: the arguments only as a SHA-256 of their canonical JSON.
 */
import { createHash } from 'node:crypto';
import { REQUEST_TIMEOUT, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { CallLogView, CallMethod, CallOutcome } from '@mcp-proxy/shared/dto';
import type { ClientSession, InFlight } from '../sessions/client-session';

/** A call log row as the API shows it, before the calls module gives it an id and its instance (`at` still a Date). */
export type CallRecord = Omit<CallLogView, 'id' | 'instance' | 'at'> & { at: Date };

/** Takes finished calls; never throws and never waits (the calls module queues them). */
export interface CallRecorder {
  readonly enabled: boolean;
  record(record: CallRecord): void;
}

/** The calls module's recorder, as the proxy asks for it. */
export const CALL_RECORDER = Symbol('CALL_RECORDER');

const RECORDED: ReadonlySet<string> = new Set<CallMethod>(['tools/call', 'resources/read', 'prompts/get']);

/** How an answer (null: none, the call was dropped) ends a call. */
export function outcomeOf(response: JsonRpcMessage | null): { outcome: CallOutcome; errorCode: number | null } {
  if (!response) return { outcome: 'cancelled', errorCode: null };
  if ('error' in response && response.error) {
    const code = response.error.code;
    return { outcome: code === REQUEST_TIMEOUT ? 'timeout' : 'error', errorCode: code };
  }
  const result = 'result' in response ? (response.result as { isError?: unknown } | null | undefined) : undefined;
  return { outcome: result?.isError === true ? 'tool_error' : 'ok', errorCode: null };
}

/** JSON with object keys sorted at every level, so equal arguments hash equally whatever order a client wrote them in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The JSON-RPC envelope around the params (`{"jsonrpc":"2.0","id":…,"method":…,"params":{…}}`), roughly. */
const ENVELOPE_BYTES = 48;

const cut = (text: string | null | undefined, max: number): string | null => (typeof text === 'string' ? text.slice(0, max) : null);

/** The record of a finished (or dropped) call; null for a method the call log does not keep. */
export function callRecordOf(
  session: ClientSession,
  entry: InFlight,
  response: JsonRpcMessage | null,
  endpoint: { id: string; name: string },
  now: Date,
): CallRecord | null {
  if (!RECORDED.has(entry.method)) return null;
  const { outcome, errorCode } = outcomeOf(response);
  // The arguments are serialized once, for the hash; their length stands in for the request's size.
  const args = entry.args === undefined ? null : canonicalJson(entry.args);
  const target = entry.target ?? '';
  const requestBytes = ENVELOPE_BYTES + entry.method.length + Buffer.byteLength(target) + (args ? Buffer.byteLength(args) : 0);
  const info = session.clientInfo;
  return {
    at: now,
    principalKind: session.owner?.kind ?? 'unknown',
    principalId: session.principalId,
    principalLabel: cut(session.owner?.label, 200),
    clientName: cut(typeof info?.['name'] === 'string' ? info['name'] : null, 200),
    clientVersion: cut(typeof info?.['version'] === 'string' ? info['version'] : null, 100),
    endpoint: endpoint.name.slice(0, 200),
    serviceId: entry.member?.serviceId ?? endpoint.id,
    serviceName: (entry.member?.serviceName ?? endpoint.name).slice(0, 200),
    method: entry.method as CallMethod,
    tool: cut(entry.target, 500),
    originalTool: entry.member && entry.member.target !== entry.target ? entry.member.target.slice(0, 500) : null,
    durationMs: Math.max(0, Math.round(performance.now() - entry.startedAtMs)),
    outcome,
    errorCode,
    requestBytes,
    responseBytes: entry.responseChars ?? null,
    argumentsSha256: args === null ? null : createHash('sha256').update(args).digest('hex'),
  };
}
