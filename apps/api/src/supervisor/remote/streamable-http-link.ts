import {
  CONTENT_TYPE_JSON,
  CONTENT_TYPE_SSE,
  errorResponse,
  HEADER_LAST_EVENT_ID,
  HEADER_MCP_PROTOCOL_VERSION,
  HEADER_MCP_SESSION_ID,
  JsonRpcId,
  JsonRpcMessage,
  MCP_METHODS,
  SERVER_UNAVAILABLE,
  UPSTREAM_PROTOCOL_ERROR,
} from '@mcp-proxy/mcp/protocol';
import type { RemoteLink, RemoteLinkEvents } from './remote-link';
import type { RemoteSettings } from '../../services/remote-settings';
import { describeHttpError, isAbort, messagesIn, networkCause, outgoingHeaders, readSse, remoteFetch } from './remote-http';

const ACCEPT_BOTH = `${CONTENT_TYPE_JSON}, ${CONTENT_TYPE_SSE}`;
const DEFAULT_STREAM_RETRY_MS = 1000;
const DELETE_TIMEOUT_MS = 2000;

/**
 * The client side of MCP Streamable HTTP (2025-03-26 and later) towards one remote server: each
 * message is a POST, answered with JSON or an SSE stream; the remote's `Mcp-Session-Id` and the
 * negotiated version go on every later request; its GET stream carries what the server says on its
 * own (notifications, sampling and elicitation requests). Losing the remote ends the link.
 */
export class StreamableHttpLink implements RemoteLink {
  private readonly aborter = new AbortController();
  private sessionId: string | null = null;
  private protocolVersion: string | null = null;
  private closed = false;
  private streamOpen = false;

  constructor(
    private readonly settings: RemoteSettings,
    private readonly events: RemoteLinkEvents,
  ) {}

  send(text: string): boolean {
    if (this.closed) return false;
    const message = JSON.parse(text) as JsonRpcMessage;
    // Read now, in the caller's turn: the trace context of the call being forwarded.
    const headers = this.headers({ 'content-type': CONTENT_TYPE_JSON, accept: ACCEPT_BOTH });
    void this.post(message, text, headers);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sessionId = this.sessionId;
    this.aborter.abort();
    if (!sessionId) return;
    const token = this.settings.bearer ? await this.settings.bearer.token().catch(() => null) : null;
    await remoteFetch(this.settings.url, {
      method: 'DELETE',
      headers: withToken(this.headers({}), token),
      signal: AbortSignal.timeout(DELETE_TIMEOUT_MS),
    })
      .then((response) => response.body?.cancel())
      .catch(() => undefined);
  }

  abort(): void {
    this.closed = true;
    this.aborter.abort();
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const headers = outgoingHeaders(this.settings.headers, extra);
    if (this.sessionId) headers[HEADER_MCP_SESSION_ID] = this.sessionId;
    if (this.protocolVersion) headers[HEADER_MCP_PROTOCOL_VERSION] = this.protocolVersion;
    return headers;
  }

  private async post(message: JsonRpcMessage, text: string, headers: Record<string, string>): Promise<void> {
    const requestId = 'method' in message && 'id' in message ? (message.id as JsonRpcId) : undefined;
    const isInitialize = 'method' in message && message.method === MCP_METHODS.INITIALIZE;
    let response: Response;
    try {
      const bearer = this.settings.bearer;
      let token = bearer ? await this.bearerToken(message, requestId, isInitialize, () => bearer.token()) : null;
      if (bearer && token === null) return;
      response = await remoteFetch(this.settings.url, {
        method: 'POST',
        headers: withToken(headers, token),
        body: text,
        signal: this.aborter.signal,
      });
      // RFC 6750: the token was refused. Refreshed once and sent again; refused again, the person reconnects.
      if (bearer && response.status === 401) {
        const refused = await describeHttpError(response);
        token = await this.bearerToken(message, requestId, isInitialize, () => bearer.renew(refused));
        if (token === null) return;
        response = await remoteFetch(this.settings.url, {
          method: 'POST',
          headers: withToken(headers, token),
          body: text,
          signal: this.aborter.signal,
        });
        if (response.status === 401) {
          const again = await describeHttpError(response);
          return this.refuse(message, requestId, isInitialize, `${again}; reconnect at the service's page in the portal`);
        }
      }
    } catch (error) {
      if (!isAbort(error)) this.lose(`cannot reach ${this.settings.url.origin}: ${networkCause(error)}`);
      return;
    }
    if (response.status === 404 && this.sessionId) {
      await response.body?.cancel();
      return this.lose('the remote server ended the MCP session (HTTP 404)');
    }
    if (isGatewayFailure(response.status)) return this.lose(`the remote server is unavailable: ${await describeHttpError(response)}`);
    if (!response.ok) {
      const why = await describeHttpError(response);
      // A remote that refuses the handshake (bad credentials, wrong URL) cannot serve: end, and let the restart policy judge.
      if (isInitialize) return this.lose(`the remote server refused initialize: ${why}`);
      if (requestId !== undefined)
        this.events.receive(errorResponse(requestId, SERVER_UNAVAILABLE, `The remote MCP server answered ${why}`));
      else this.events.log(`the remote server refused a message: ${why}`, 'warn');
      return;
    }
    if (isInitialize) this.sessionId = response.headers.get(HEADER_MCP_SESSION_ID) ?? this.sessionId;
    const contentType = response.headers.get('content-type') ?? '';
    try {
      if (contentType.startsWith(CONTENT_TYPE_SSE)) {
        const answered = await this.readStream(response, requestId);
        if (requestId !== undefined && !answered && !this.closed) {
          this.events.receive(errorResponse(requestId, SERVER_UNAVAILABLE, 'The remote MCP server closed its stream before answering'));
        }
      } else if (contentType.startsWith(CONTENT_TYPE_JSON)) {
        const messages = messagesIn(await response.text());
        if (requestId !== undefined && messages.length === 0) {
          this.events.receive(
            errorResponse(requestId, UPSTREAM_PROTOCOL_ERROR, 'The remote MCP server answered with something that is not JSON-RPC'),
          );
        }
        for (const each of messages) this.deliver(each, isInitialize);
      } else {
        await response.body?.cancel();
        if (requestId !== undefined) {
          this.events.receive(
            errorResponse(requestId, UPSTREAM_PROTOCOL_ERROR, `The remote MCP server answered with content type "${contentType}"`),
          );
        }
      }
    } catch (error) {
      if (isAbort(error) || this.closed) return;
      if (requestId !== undefined)
        this.events.receive(
          errorResponse(requestId, SERVER_UNAVAILABLE, `The remote MCP server's answer broke off: ${networkCause(error)}`),
        );
    }
    if ('method' in message && message.method === MCP_METHODS.INITIALIZED) void this.openStream(null);
  }

  /** The connection's token, or null once the caller was told why there is none (not connected, reconnect needed). */
  private async bearerToken(
    message: JsonRpcMessage,
    requestId: JsonRpcId | undefined,
    isInitialize: boolean,
    get: () => Promise<string>,
  ): Promise<string | null> {
    try {
      return await get();
    } catch (error) {
      this.refuse(message, requestId, isInitialize, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /**
   * A message the connection cannot carry: a refused handshake ends the link (its upstream reports why);
   * a tool call gets a tool error the model can read and relay, anything else a JSON-RPC error.
   */
  private refuse(message: JsonRpcMessage, requestId: JsonRpcId | undefined, isInitialize: boolean, why: string): void {
    if (isInitialize) return this.lose(why);
    if (requestId === undefined) return this.events.log(`a message was not sent: ${why}`, 'warn');
    if ('method' in message && message.method === MCP_METHODS.TOOLS_CALL) {
      this.events.receive({ jsonrpc: '2.0', id: requestId, result: { isError: true, content: [{ type: 'text', text: why }] } });
      return;
    }
    this.events.receive(errorResponse(requestId, SERVER_UNAVAILABLE, why));
  }

  /** True once the response to `requestId` went by. */
  private async readStream(response: Response, requestId: JsonRpcId | undefined): Promise<boolean> {
    let answered = false;
    await readSse(response.body, (event) => {
      for (const message of messagesIn(event.data)) {
        if (requestId !== undefined && !('method' in message) && message.id === requestId) answered = true;
        this.deliver(message, false);
      }
    });
    return answered;
  }

  private deliver(message: JsonRpcMessage, fromInitialize: boolean): void {
    if (fromInitialize && 'result' in message) {
      const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') this.protocolVersion = version;
    }
    this.events.receive(message);
  }

  /**
   * The remote's own stream (server → client messages not tied to a request). A remote without one
   * answers 405; an ended stream is opened again, resuming after the last event seen.
   */
  private async openStream(lastEventId: string | null): Promise<void> {
    if (this.closed || this.streamOpen) return;
    this.streamOpen = true;
    let retryMs = DEFAULT_STREAM_RETRY_MS;
    let lastSeen = lastEventId;
    try {
      const token = this.settings.bearer ? await this.settings.bearer.token().catch(() => null) : null;
      if (this.settings.bearer && token === null) return;
      const response = await remoteFetch(this.settings.url, {
        method: 'GET',
        headers: withToken(this.headers({ accept: CONTENT_TYPE_SSE, ...(lastSeen ? { [HEADER_LAST_EVENT_ID]: lastSeen } : {}) }), token),
        signal: this.aborter.signal,
      });
      if (response.status === 404 && this.sessionId) {
        await response.body?.cancel();
        return this.lose('the remote server ended the MCP session (HTTP 404)');
      }
      if (isGatewayFailure(response.status)) return this.lose(`the remote server is unavailable: ${await describeHttpError(response)}`);
      if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith(CONTENT_TYPE_SSE)) {
        await response.body?.cancel();
        return; // no stream offered (405): everything comes on the POSTs' streams
      }
      await readSse(
        response.body,
        (event) => {
          if (event.lastEventId) lastSeen = event.lastEventId;
          for (const message of messagesIn(event.data)) this.events.receive(message);
        },
        (ms) => (retryMs = ms),
      );
    } catch (error) {
      if (isAbort(error) || this.closed) return;
      return this.lose(`lost the stream of ${this.settings.url.origin}: ${networkCause(error)}`);
    } finally {
      this.streamOpen = false;
    }
    if (this.closed) return;
    setTimeout(() => void this.openStream(lastSeen), retryMs).unref();
  }

  private lose(cause: string): void {
    if (this.closed) return;
    this.closed = true;
    this.aborter.abort();
    this.events.lost(cause);
  }
}

/** What a gateway in front of a remote says when the server behind it is gone. */
function isGatewayFailure(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** The connection's token as the Authorization header (upstream OAuth); configured headers cannot set it then. */
function withToken(headers: Record<string, string>, token: string | null): Record<string, string> {
  if (token === null) return headers;
  const rest = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
  return { ...rest, authorization: `Bearer ${token}` };
}
