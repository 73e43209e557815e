import { errorResponse, INVALID_REQUEST, JsonRpcId } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, joinPieces, LargeBodyGate, readBodyPieces } from './bounded-body';

/** The largest MCP message a client may POST (a 1 MiB payload fits with room to spare), here or through another instance. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** The bytes of a POSTed MCP message, or null once 413 has been answered. */
export async function readMessageBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer | null> {
  const pieces = await readMessagePieces(request, response);
  return pieces && joinPieces(pieces);
}

/** `readMessageBody` as the chunks the body arrived in (not joined), or null once 413 has been answered. */
export async function readMessagePieces(
  request: IncomingMessage,
  response: ServerResponse,
  gate?: LargeBodyGate,
): Promise<Buffer[] | null> {
  try {
    return await readBodyPieces(request, MAX_MESSAGE_BYTES, gate);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    // Not `Connection: close`: the rest of the body is being drained so the client can read this.
    sendRpcError(response, 413, INVALID_REQUEST, `Message larger than ${MAX_MESSAGE_BYTES} bytes`);
    return null;
  }
}

/** An HTTP error whose body is a JSON-RPC error, so MCP clients can show its message. */
export function sendRpcError(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: JsonRpcId | null = null,
  headers: Record<string, string> = {},
  data?: unknown,
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const body = JSON.stringify(errorResponse(id, code, message, data));
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

export function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, headers);
  response.end();
}

/** Which replies the client said it can read. */
export function acceptedReplies(request: IncomingMessage): { json: boolean; sse: boolean } {
  const accept = request.headers.accept ?? '';
  if (accept === '' || accept.includes('*/*')) return { json: true, sse: true };
  return { json: accept.includes('application/json'), sse: accept.includes('text/event-stream') };
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
