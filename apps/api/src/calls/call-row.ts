/**
 * A finished call (as the proxy handed it over) made into the call history's row: the arguments' hash and the
 * request's size, the texts cut to their columns, the payloads redacted when the service stores them. Pure and
 * run by the writer in batches, so none of it costs the call's own latency.
 */
import { createHash, hash } from 'node:crypto';
import { canonicalJson } from '@mcp-proxy/mcp/protocol';
import type { CallMethod } from '@mcp-proxy/shared/dto';
import type { CallRecord, FinishedCall } from '../proxy/metrics/call-record';
import type { CallLogEntity } from './call-log.entity';
import { payloadValue, storedPayload, type RedactionRules } from './payload-redaction';

/** A row ready to be written: the API's fields, plus the stored payloads (null unless the service keeps them). */
export type CallRow = CallRecord & { arguments: string | null; result: string | null };

/** SHA-256 hex; the one-shot `crypto.hash` (Node ≥ 20.12) costs less than half of a Hash object for short texts. */
const sha256 =
  typeof hash === 'function'
    ? (text: string): string => hash('sha256', text)
    : (text: string): string => createHash('sha256').update(text).digest('hex');

/** How a service's payloads are stored; absent: they are not. */
export interface PayloadStorage {
  rules: RedactionRules;
  maxBytes: number;
}

/** The JSON-RPC envelope around the params (`{"jsonrpc":"2.0","id":…,"method":…,"params":{…}}`), roughly. */
const ENVELOPE_BYTES = 48;

const cut = (text: string | null | undefined, max: number): string | null => (typeof text === 'string' ? text.slice(0, max) : null);

/** What of an answer is stored: its `result`, or its `error`. */
function answerPayload(response: unknown): unknown {
  const answer = payloadValue(response);
  if (answer === null || typeof answer !== 'object') return answer;
  const message = answer as { result?: unknown; error?: unknown };
  return 'error' in message ? message.error : message.result;
}

/** The row of a finished call, with its id and the instance that recorded it. */
export function callRowOf(call: FinishedCall, payloads: PayloadStorage | null, id: string, instance: string): CallLogEntity {
  // The arguments are serialized once, for the hash; their length stands in for the request's size.
  const args = call.args === undefined ? null : canonicalJson(payloadValue(call.args));
  const info = call.clientInfo;
  const target = call.target ?? '';
  return {
    id,
    at: new Date(call.at),
    instance,
    principalKind: call.principalKind.slice(0, 16),
    principalId: call.principalId.slice(0, 200),
    principalLabel: cut(call.principalLabel, 200),
    clientName: cut(typeof info?.['name'] === 'string' ? info['name'] : null, 200),
    clientVersion: cut(typeof info?.['version'] === 'string' ? info['version'] : null, 100),
    endpoint: call.endpointName.slice(0, 200),
    serviceId: call.serviceId.slice(0, 100),
    serviceName: call.serviceName.slice(0, 200),
    method: call.method as CallMethod,
    tool: cut(call.target, 500),
    originalTool: call.memberTarget !== undefined && call.memberTarget !== call.target ? call.memberTarget.slice(0, 500) : null,
    durationMs: Math.max(0, Math.round(call.durationMs)),
    outcome: call.outcome,
    errorCode: call.errorCode,
    requestBytes: ENVELOPE_BYTES + call.method.length + Buffer.byteLength(target) + (args ? Buffer.byteLength(args) : 0),
    responseBytes: call.responseChars ?? null,
    argumentsSha256: args === null ? null : sha256(args),
    arguments: payloads && call.args !== undefined ? storedPayload(call.args, payloads.rules, payloads.maxBytes) : null,
    result: payloads && call.response ? storedPayload(answerPayload(call.response), payloads.rules, payloads.maxBytes) : null,
  };
}
