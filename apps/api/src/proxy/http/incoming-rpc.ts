import { INVALID_REQUEST, JsonRpcId, JsonRpcMessage, parseMessageBytes, RATE_LIMITED } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../core/auth/principal';
import type { RateLimiter } from '../limits/rate-limiter';
import { refusalMessage, takeBudgets } from '../limits/rate-policy';
import type { ServiceRoute } from '../routing/route-table';
import { readMessagePieces, sendRpcError } from '../../core/http/http-io';

/** The one JSON-RPC message of a POST body, or null once 413 or 400 has been answered. */
export async function readRpcMessage(request: IncomingMessage, response: ServerResponse): Promise<JsonRpcMessage | null> {
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
