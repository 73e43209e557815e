import { CONTENT_TYPE_JSON, CONTENT_TYPE_SSE, errorResponse, JsonRpcId, JsonRpcMessage, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import type { RemoteLink, RemoteLinkEvents } from './remote-link';
import type { RemoteSettings } from '../../services/remote-settings';
import { describeHttpError, isAbort, messagesIn, networkCause, outgoingHeaders, readSse, remoteFetch } from './remote-http';

/** Messages written before the remote named its endpoint wait, up to this many. */
const MAX_QUEUED = 1000;

/**
 * The client side of the HTTP+SSE transport (MCP 2024-11-05): one GET stream that first names the
 * URL to POST messages to (`endpoint` event), then carries every message of the server. The stream
 * is the session: when it ends, the link is lost.
 */
export class LegacySseLink implements RemoteLink {
  private readonly aborter = new AbortController();
  private endpoint: URL | null = null;
  private readonly queued: { text: string; headers: Record<string, string> }[] = [];
  private closed = false;

  constructor(
    private readonly settings: RemoteSettings,
    private readonly events: RemoteLinkEvents,
  ) {
    void this.listen();
  }

  send(text: string): boolean {
    if (this.closed) return false;
    const headers = outgoingHeaders(this.settings.headers, { 'content-type': CONTENT_TYPE_JSON });
    if (!this.endpoint) {
      if (this.queued.length >= MAX_QUEUED) return false;
      this.queued.push({ text, headers });
      return true;
    }
    void this.post(this.endpoint, text, headers);
    return true;
  }

  async close(): Promise<void> {
    this.abort();
  }

  abort(): void {
    this.closed = true;
    this.aborter.abort();
  }

  private async listen(): Promise<void> {
    try {
      const response = await remoteFetch(this.settings.url, {
        method: 'GET',
        headers: outgoingHeaders(this.settings.headers, { accept: CONTENT_TYPE_SSE }),
        signal: this.aborter.signal,
      });
      if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith(CONTENT_TYPE_SSE)) {
        return this.lose(
          `the remote server did not open an event stream: ${response.ok ? `content type "${response.headers.get('content-type')}"` : await describeHttpError(response)}`,
        );
      }
      await readSse(response.body, (event) => {
        if (event.type === 'endpoint') return this.onEndpoint(event.data);
        if (event.type === 'message') for (const message of messagesIn(event.data)) this.events.receive(message);
      });
      this.lose('the remote server closed its event stream');
    } catch (error) {
      if (!isAbort(error)) this.lose(`lost the event stream of ${this.settings.url.origin}: ${networkCause(error)}`);
    }
  }

  /** Only an endpoint on the remote's own origin: the configured headers (credentials) go nowhere else. */
  private onEndpoint(data: string): void {
    let endpoint: URL;
    try {
      endpoint = new URL(data.trim(), this.settings.url);
    } catch {
      return this.lose(`the remote server named an endpoint that is not a URL: ${data.slice(0, 100)}`);
    }
    if (endpoint.origin !== this.settings.url.origin)
      return this.lose(`the remote server named an endpoint on another origin (${endpoint.origin}); refused`);
    this.endpoint = endpoint;
    for (const { text, headers } of this.queued.splice(0)) void this.post(endpoint, text, headers);
  }

  private async post(endpoint: URL, text: string, headers: Record<string, string>): Promise<void> {
    const message = JSON.parse(text) as JsonRpcMessage;
    const requestId = 'method' in message && 'id' in message ? (message.id as JsonRpcId) : undefined;
    try {
      const response = await remoteFetch(endpoint, { method: 'POST', headers, body: text, signal: this.aborter.signal });
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const why = await describeHttpError(response);
      if (requestId !== undefined)
        this.events.receive(errorResponse(requestId, SERVER_UNAVAILABLE, `The remote MCP server answered ${why}`));
      else this.events.log(`the remote server refused a message: ${why}`, 'warn');
    } catch (error) {
      if (!isAbort(error)) this.lose(`cannot reach ${endpoint.origin}: ${networkCause(error)}`);
    }
  }

  private lose(cause: string): void {
    if (this.closed) return;
    this.closed = true;
    this.aborter.abort();
    this.events.lost(cause);
  }
}
