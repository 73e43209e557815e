import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import { connect, PeerCertificate } from 'node:tls';
import { WebSocket } from 'ws';

/** Every name resolves to 127.0.0.1: test domains are not in any DNS, and nothing may leave the machine. */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else callback(null, '127.0.0.1', 4);
};

export interface PeerView {
  /** The chain checked out against `ca` for `servername`. */
  authorized: boolean;
  authorizationError: string | null;
  serialNumber: string;
  issuer: string;
  altNames: string;
}

/**
 * One TLS handshake on 127.0.0.1:port with SNI `servername`: what the server presents, and whether a
 * client trusting `ca` (empty: the public roots) accepts it.
 */
export function peerCertificate(port: number, servername: string, ca: string): Promise<PeerView> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ...(ca ? { ca } : {}), rejectUnauthorized: false }, () => {
      const peer: PeerCertificate = socket.getPeerCertificate();
      resolve({
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        serialNumber: peer.serialNumber.toUpperCase(),
        issuer: peer.issuer.CN,
        altNames: peer.subjectaltname ?? '',
      });
      socket.end();
    });
    socket.once('error', reject);
  });
}

/**
 * An HTTPS agent for the test domain: trusts `ca`, connects to loopback, keeps connections alive. No
 * session resumption, so every new connection is a full handshake that shows the server's certificate.
 */
export function loopbackAgent(ca: string): Agent {
  return new Agent({ ca, lookup: loopbackLookup, keepAlive: true, maxSockets: 16, maxCachedSessions: 0 });
}

/**
 * `fetch` over node's https with our agent, for the MCP SDK client (Node 20's fetch cannot be given a
 * CA). Streams the body, so SSE works.
 */
export function fetchThrough(agent: Agent): FetchLike {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof URL ? input.href : input);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      const outgoing = request(url, { method: init?.method ?? 'GET', headers, agent, signal: init?.signal ?? undefined }, (incoming) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of [value ?? []].flat()) responseHeaders.append(name, one);
        }
        const status = incoming.statusCode ?? 0;
        const empty = [204, 205, 304].includes(status) || init?.method === 'HEAD';
        if (empty) incoming.resume();
        resolve(
          new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), { status, headers: responseHeaders }),
        );
      });
      outgoing.once('error', reject);
      outgoing.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}

/** The `WebSocket` the SDK's transport constructs (it takes no options), trusting `ca` and dialling loopback. */
export function trustingWebSocket(ca: string): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { ca, lookup: loopbackLookup });
    }
  } as typeof WebSocket;
}
