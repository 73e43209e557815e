import { INVALID_REQUEST, JsonRpcId, JsonRpcMessage, onceWritten, parseMessageBytes, RATE_LIMITED } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyBudget, ReturnBytes } from '../../core/http/body-budget';
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
  const reservation: { giveBack?: ReturnBytes } = {};
  const hold = async (bytes: number): Promise<void> => {
    const giveBack = await budget.reserve(bytes);
    // A client that went away while its body waited sends nothing more, and nothing ends this exchange later.
    if (request.destroyed) return giveBack();
    // Given back once the message has been written on, at the latest when this exchange ends.
    reservation.giveBack = giveBack;
    response.once('close', giveBack);
  };
  const declared = Number(request.headers['content-length']);
  if (declared >= LARGE_BODY_BYTES && declared <= MAX_MESSAGE_BYTES) {
    await hold(declared);
    if (request.destroyed) return null;
  }
  // A body of unknown length (chunked) that turns out large waits for room for the largest it may grow to.
  const unknownLength = request.headers['content-length'] === undefined;
  const gate = unknownLength ? { fromBytes: LARGE_BODY_BYTES, admit: () => hold(MAX_MESSAGE_BYTES) } : undefined;
  const body = await readMessagePieces(request, response, gate);
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
  if (reservation.giveBack) onceWritten(parsed.message, reservation.giveBack);
  return parsed.message;
}

/**
 * Resolves once a notification or answer held as bytes (a large one) has been written to its server, so
 * that the exchange that brought it, and with it the body's part of the budget, lasts until then. One the
 * proxy drops instead (an answer nobody waits for any more) is never written: after the longest a large
 * body waits for room, it resolves anyway. At once for a message held as text. Call it before the message
 * is handed to its upstream: the listener must be there when the message is written.
 */
export function handedOn(message: JsonRpcMessage): Promise<void> {
  return new Promise((resolve) => {
    if (onceWritten(message, resolve)) setTimeout(resolve, LARGE_BODY_MAX_WAIT_MS).unref();
    else resolve();
  });
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
