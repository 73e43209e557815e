import { errorResponse, JsonRpcId } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The data plane's callers import the one bounded body reader from here. */
export { BodyTooLargeError, readBody } from './bounded-body';

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
