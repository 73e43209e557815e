/**
 * What the proxy hands the call history of one finished MCP call, taken from the session's in-flight entry where
 * every call ends (ClientSession.finish or drop), whatever the transport, group or upstream. On the hot path this
 * only copies references and numbers: hashing, sizing, redaction and the row itself are the calls module's work
 * (CALL_RECORDER), done in batches off the path.
 */
import { REQUEST_TIMEOUT, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { CallLogView, CallOutcome } from '@mcp-proxy/shared/dto';
import type { ClientSession, InFlight } from '../sessions/client-session';

/** A call log row as the API shows it, before the calls module gives it an id and its instance (`at` still a Date). */
export type CallRecord = Omit<CallLogView, 'id' | 'instance' | 'at'> & { at: Date };

/** A finished call as the proxy saw it: plain facts and references, nothing computed. */
export interface FinishedCall {
  /** When it ended (epoch ms). */
  at: number;
  durationMs: number;
  principalKind: string;
  principalId: string;
  principalLabel: string | null;
  /** The client's `clientInfo` from `initialize`, as it sent it. */
  clientInfo: Record<string, unknown> | null;
  /** The service or group called. */
  endpointId: string;
  endpointName: string;
  /** The service that served it: a group's member, else the endpoint. */
  serviceId: string;
  serviceName: string;
  method: string;
  /** The tool or prompt name or resource URI the client sent. */
  target: string | undefined;
  /** A group's call: the name (or URI) at the member. */
  memberTarget: string | undefined;
  /** The arguments as the client sent them (a parsed value, or later the raw JSON text); undefined when none. */
  args: unknown;
  /** The length of the answer's frame as the server sent it, when the upstream had one. */
  responseChars: number | undefined;
  outcome: CallOutcome;
  errorCode: number | null;
  /** The answer as it left, only for a service that stores payloads (null otherwise, and for a dropped call). */
  response: unknown;
}

/** Takes finished calls; never throws and never waits (the calls module queues them). */
export interface CallRecorder {
  readonly enabled: boolean;
  /** Whether calls served by this service keep their arguments and results: only then is the answer handed over. */
  storesPayloads(serviceId: string): boolean;
  record(call: FinishedCall): void;
}

/** The calls module's recorder, as the proxy asks for it. */
export const CALL_RECORDER = Symbol('CALL_RECORDER');

/** The methods the call log records (the ones that make a server act or hand out content). */
const RECORDED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

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

/**
 * The finished call of an entry (null for a method the call log does not keep). `withPayload`: the service
 * stores payloads, so the answer goes along (by reference).
 */
export function finishedCallOf(
  session: ClientSession,
  entry: InFlight,
  response: JsonRpcMessage | null,
  endpoint: { id: string; name: string },
  withPayload: boolean,
): FinishedCall | null {
  if (!RECORDED_METHODS.has(entry.method)) return null;
  const { outcome, errorCode } = outcomeOf(response);
  const owner = session.owner;
  const member = entry.member;
  return {
    at: Date.now(),
    durationMs: performance.now() - entry.startedAtMs,
    principalKind: owner?.kind ?? 'unknown',
    principalId: session.principalId,
    principalLabel: owner?.label ?? null,
    clientInfo: session.clientInfo,
    endpointId: endpoint.id,
    endpointName: endpoint.name,
    serviceId: member?.serviceId ?? endpoint.id,
    serviceName: member?.serviceName ?? endpoint.name,
    method: entry.method,
    target: entry.target,
    memberTarget: member?.target,
    // Read when the row is made, off the answer's path (a large message's arguments are parsed only then).
    get args() {
      return entry.args;
    },
    responseChars: entry.responseChars,
    outcome,
    errorCode,
    response: withPayload ? response : null,
  };
}
