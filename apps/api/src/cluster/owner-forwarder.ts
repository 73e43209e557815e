import { INTERNAL_ERROR } from '@mcp-proxy/mcp/protocol';
import { Agent, IncomingMessage, request as httpRequest, ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { sendRpcError } from '../core/http/http-io';
import { DRAINING_HEADER, FORWARDED_BY_HEADER } from './instance-identity';

/** Headers that belong to one connection, not to the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** `refused`: the owner never got the request (it is down), so it can safely go elsewhere. */
export type ForwardOutcome = 'done' | 'refused';

const httpAgent = new Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

function forwardedHeaders(request: IncomingMessage, selfId: string, body: Buffer | null): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers[FORWARDED_BY_HEADER] = selfId;
  const peer = request.socket.remoteAddress;
  if (peer) headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${peer}` : peer;
  if (body) headers['content-length'] = String(body.length);
  return headers;
}

/**
 * Passes one HTTP exchange to the instance that owns the service, and its answer back as it comes
 * (an SSE stream stays a stream). The request's body was read already (`body`), so a request the
 * owner never received can be sent again elsewhere.
 */
export function forwardOnce(
  request: IncomingMessage,
  response: ServerResponse,
  ownerUrl: string,
  body: Buffer | null,
  selfId: string,
): Promise<ForwardOutcome> {
  const target = new URL(request.url ?? '/', ownerUrl);
  const secure = target.protocol === 'https:';
  return new Promise<ForwardOutcome>((resolve) => {
    const upstream = (secure ? httpsRequest : httpRequest)({
      host: target.hostname,
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      method: request.method,
      headers: forwardedHeaders(request, selfId, body),
      agent: secure ? httpsAgent : httpAgent,
    });
    let answered = false;
    upstream.once('response', (answer) => {
      answered = true;
      // The owner is stopping and did not take the request: it can go to the next owner.
      if (answer.statusCode === 503 && answer.headers[DRAINING_HEADER] !== undefined) {
        answer.resume();
        return resolve('refused');
      }
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      response.writeHead(answer.statusCode ?? 502, headers);
      response.flushHeaders();
      answer.on('error', () => response.destroy());
      answer.pipe(response);
      resolve('done');
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (answered) return response.destroy();
      // A kept-alive socket the owner closed as it died fails like this before anything reached it.
      const neverReached = error.code === 'ECONNREFUSED' || (upstream.reusedSocket && error.code === 'ECONNRESET');
      if (neverReached) return resolve('refused');
      if (!response.headersSent) sendRpcError(response, 502, INTERNAL_ERROR, 'The instance that runs this service stopped answering');
      else response.destroy();
      resolve('done');
    });
    // The client went away (closed its stream): the owner's side of it ends too.
    response.once('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.end(body ?? undefined);
  });
}

/** Passes a WebSocket upgrade to the owner and then relays bytes both ways. */
export function forwardUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, ownerUrl: string, selfId: string): void {
  const target = new URL(ownerUrl);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const upstream = secure
    ? tlsConnect({ host: target.hostname, port, servername: target.hostname })
    : connect({ host: target.hostname, port });
  upstream.once(secure ? 'secureConnect' : 'connect', () => {
    const lines = [`${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      if (request.rawHeaders[i].toLowerCase() !== FORWARDED_BY_HEADER) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
    }
    lines.push(`${FORWARDED_BY_HEADER}: ${selfId}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  upstream.once('error', () => {
    if (socket.writable && upstream.bytesRead === 0)
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  socket.once('error', () => upstream.destroy());
  socket.once('close', () => upstream.destroy());
  upstream.once('close', () => socket.destroy());
}
