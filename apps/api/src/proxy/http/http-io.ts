import { errorResponse, JsonRpcId } from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {}

/** Reads the whole body up to `limit` bytes; a larger one is refused before it is buffered. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    request.resume();
    return Promise.reject(new BodyTooLargeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
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
