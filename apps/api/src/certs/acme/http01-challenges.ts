import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RawRoute } from '../../core/http/raw-routes';

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge';

/** RFC 8555 tokens are base64url; anything else cannot be ours. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * HTTP-01 answers while an order is pending: `GET /.well-known/acme-challenge/<token>` → the key
 * authorization. Served on a raw lane of every listener, so neither auth nor force-SSL stands in the way.
 */
@Injectable()
export class Http01Challenges {
  private readonly answers = new Map<string, string>();

  add(token: string, keyAuthorization: string): void {
    this.answers.set(token, keyAuthorization);
  }

  remove(token: string): void {
    this.answers.delete(token);
  }

  /** A raw lane: the CA's request must not meet auth, rate limits or the force-SSL redirect. Only with SSL_ENABLED. */
  @RawRoute(ACME_CHALLENGE_PREFIX, { when: (config) => config.get('SSL_ENABLED') })
  handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0];
    const token = path.slice(ACME_CHALLENGE_PREFIX.length + 1);
    const answer = TOKEN.test(token) ? this.answers.get(token) : undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
    } else if (answer === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end('Not Found\n');
    } else {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(answer), 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : answer);
    }
  }
}
