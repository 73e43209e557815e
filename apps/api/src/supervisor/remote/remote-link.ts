import type { JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { RemoteSettings } from '../../services/remote-settings';

/** What a link tells the connection that owns it. */
export interface RemoteLinkEvents {
  /** A message from the remote server (a response, a notification or a request of its own). */
  receive(message: JsonRpcMessage): void;
  /** The remote is gone (unreachable, its session ended, its stream closed): the connection ends, the supervisor reconnects. */
  lost(cause: string): void;
  /** Something worth a line in the service log (never a header value). */
  log(text: string, level: 'info' | 'warn' | 'error'): void;
}

/**
 * One MCP session with a remote server over some HTTP transport. Messages go out as serialized
 * JSON-RPC (what a JsonRpcPeer writes); everything that comes back goes to `events.receive`.
 */
export interface RemoteLink {
  /** Sends one message; false once the link is closed. */
  send(text: string): boolean;
  /** Ends the remote session politely (Streamable HTTP: DELETE), within a short bound. */
  close(): Promise<void>;
  /** Drops every connection now, without a word to the remote. */
  abort(): void;
}

/**
 * Opens links: for a remote service what spawning is for a process. SupervisorModule provides it as
 * REMOTE_CONNECTOR (connectRemote: Streamable HTTP or legacy SSE); a test can put a fake in its place.
 */
export type RemoteConnector = (settings: RemoteSettings, events: RemoteLinkEvents) => RemoteLink;

export const REMOTE_CONNECTOR = Symbol('REMOTE_CONNECTOR');
