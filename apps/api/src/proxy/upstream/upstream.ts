import {
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  type JsonRpcNotification,
  type JsonRpcPeer,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '@mcp-proxy/mcp/protocol';
import { APP_VERSION } from '../../version';
import type { ClientSession, InFlight } from '../sessions/client-session';

/** What a server said about itself in its `initialize` result. */
export interface ServerIdentity {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: { name: string; version: string; [key: string]: unknown };
  instructions?: string;
}

/**
 * The server side of the proxy for one service: forwards client messages to the child and routes
 * the child's messages back to the right sessions. Answers always arrive through `session.finish`.
 */
export interface Upstream {
  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void;
  /** A client's notification; false when it was not written to the server (the proxy handled it, or nothing takes it). */
  notify(session: ClientSession, notification: JsonRpcNotification): boolean;
  /** A client's answer to a request the server sent it (sampling, elicitation, roots); false when it was not ours or not written. */
  answer(session: ClientSession, response: JsonRpcResponse): boolean;
  /** The session is over: forget it (and, for a dedicated child, stop the child). */
  release(session: ClientSession): void;
}

/** How the proxy names itself to the servers it initializes. */
export const PROXY_CLIENT_INFO = { name: 'mcp-reverse-proxy', version: APP_VERSION };

/** The proxy's own handshake with a child it speaks for (a shared child, a pool's): `initialize`, then `initialized`. */
export async function initializeServer(
  peer: JsonRpcPeer,
  clientInfo: { name: string; version: string },
  timeoutMs: number,
): Promise<ServerIdentity> {
  const identity = await peer.call<ServerIdentity>(
    MCP_METHODS.INITIALIZE,
    {
      protocolVersion: LATEST_INITIALIZE_PROTOCOL_VERSION,
      // Advertised so servers offer their sampling/elicitation/roots features; each such request
      // is routed to the client that caused it, or refused when that cannot be known.
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
      clientInfo,
    },
    { timeoutMs },
  );
  peer.notify(MCP_METHODS.INITIALIZED);
  return identity;
}
