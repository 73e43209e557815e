import { INVALID_REQUEST, JsonRpcId, JsonRpcMessage, onceWritten, parseMessageBytes, RATE_LIMITED } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyBudget } from '../../core/http/body-budget';
import type { Principal } from '../../core/auth/principal';
import type { RateLimiter } from '../limits/rate-limiter';
import { refusalMessage, takeBudgets } from '../limits/rate-policy';
import type { ServiceRoute } from '../routing/route-table';
import { MAX_MESSAGE_BYTES, readMessagePieces, sendRpcError } from '../../core/http/http-io';

/** Bodies from this size on are read within the body budget (a few at a time). */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** How long a large body waits for room before it is read anyway. */
const LARGE_BODY_MAX_WAIT_MS = 5000;

/** The data plane's budget for large bodies: two of the largest a client may send. */
export function largeBodyBudget(): BodyBudget {
  return new BodyBudget(2 * MAX_MESSAGE_BYTES, LARGE_BODY_MAX_WAIT_MS);
}

/** The one JSON-RPC message of a POST body, or null once 413 or 400 has been answered. */
export async function readRpcMessage(
  request: IncomingMessage,
  response: ServerResponse,
  budget: BodyBudget,
): Promise<JsonRpcMessage | null> {
  const declared = Number(request.headers['content-length']);
  const returnBytes = declared >= LARGE_BODY_BYTES && declared <= MAX_MESSAGE_BYTES ? await budget.reserve(declared) : null;
  if (returnBytes && request.destroyed) {
    // The client went away while its body waited: nothing will come, and nothing ends this exchange later.
    returnBytes();
    return null;
  }
  // The bytes are given back once the message has been written on, at the latest when this exchange ends.
  if (returnBytes) response.once('close', returnBytes);
  const body = await readMessagePieces(request, response);
  if (!body) return null;
  // A large body is read by its envelope only and relayed as its own bytes (the chunks it came in).
  const parsed = parseMessageBytes(body);
  if (!parsed.ok) {
    sendRpcError(response, 400, parsed.error.code, parsed.error.message, parsed.id);
    return null;
  }
  if (parsed.kind === 'batch') {
    sendRpcError(response, 400, INVALID_REQUEST, 'JSON-RPC batches are not supported');
    return null;
  }
  if (returnBytes) onceWritten(parsed.message, returnBytes);
  return parsed.message;
}

/**
 * Counts the message (null: a DELETE, housekeeping too) against the client's budgets; false once
 * 429 has been answered, with Retry-After and the limit named in the JSON-RPC error's data.
 */
export async function withinRateLimit(
  limiter: RateLimiter,
  route: ServiceRoute,
  principal: Principal,
  message: JsonRpcMessage | null,
  response: ServerResponse,
): Promise<boolean> {
  const refusal = await takeBudgets(limiter, route, principal, message);
  if (!refusal) return true;
  const id: JsonRpcId | null = message && 'id' in message ? (message.id ?? null) : null;
  sendRpcError(response, 429, RATE_LIMITED, refusalMessage(refusal), id, { 'retry-after': String(refusal.retryAfter) }, refusal);
  return false;
}
