import { errorResponse, isRequest, JsonRpcMessage, MCP_METHODS, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import type { RemoteLink, RemoteLinkEvents } from './remote-link';

/**
 * The service-wide link of an `auth: "oauth"` remote. Calls go out on each connection's own link (the
 * proxy's PrincipalUpstreams), never on this one: it answers for callers with no connection, without a
 * word to the remote. `initialize` and `ping` as a server would (so the service runs and sessions open),
 * `tools/call` with a tool error and anything else with a JSON-RPC error, both saying where to connect.
 */
export class OAuthPlaceholderLink implements RemoteLink {
  private closed = false;

  constructor(
    private readonly serviceName: string,
    private readonly notConnected: string,
    private readonly events: RemoteLinkEvents,
  ) {}

  send(text: string): boolean {
    if (this.closed) return false;
    const message = JSON.parse(text) as JsonRpcMessage;
    if (isRequest(message))
      queueMicrotask(() => this.closed || this.events.receive(this.answer(message.id, message.method, message.params)));
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  abort(): void {
    this.closed = true;
  }

  private answer(id: string | number, method: string, params: unknown): JsonRpcMessage {
    if (method === MCP_METHODS.INITIALIZE) {
      const version = (params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      return {
        jsonrpc: '2.0',
        id,
        result: {
          protocolVersion: typeof version === 'string' ? version : '2025-06-18',
          capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } },
          serverInfo: { name: this.serviceName, version: 'oauth' },
        },
      };
    }
    if (method === MCP_METHODS.PING) return { jsonrpc: '2.0', id, result: {} };
    if (method === MCP_METHODS.TOOLS_CALL)
      return { jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text: this.notConnected }] } };
    return errorResponse(id, SERVER_UNAVAILABLE, this.notConnected);
  }
}
