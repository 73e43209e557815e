import type { CallToolResult, InitializeResult, JsonRpcMessage, JsonRpcNotification, ListToolsResult, McpTool } from './mcp-types';
import { readSse } from './sse-reader';
import { PORTAL_REQUEST_HEADER, PORTAL_REQUEST_VALUE } from '../../../core/api/api-paths';

/** The version this client asks for; the server may answer with an older one it supports. */
export const CLIENT_PROTOCOL_VERSION = '2025-11-25';
const CLIENT_INFO = { name: 'mcp-reverse-proxy-admin', title: 'MCP Reverse Proxy admin (Try it)', version: '1.0.0' };
/** The answer to a server request no handler takes. */
const METHOD_NOT_FOUND = -32601;

/** A request the server sends back while answering one of ours (sampling, elicitation, roots). */
export interface ServerRequest {
  id: string | number;
  method: string;
  params: Record<string, unknown>;
}

/** The HTTP call itself failed (401, 404, 503…); `message` is what the proxy said, when it said something. */
export class McpHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'McpHttpError';
  }
}

/** The server answered with a JSON-RPC error. */
export class McpRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpRpcError';
  }
}

export interface McpHttpClientOptions {
  /** The service's Streamable HTTP endpoint, e.g. `/mcp/everything` (same origin). */
  url: string;
  /** The bearer credential, read at every request (the UI session token). */
  token: () => string | null;
  fetch?: typeof fetch;
  /** Notifications the server sends while a request is answered over SSE (progress, logging…). */
  onNotification?: (notification: JsonRpcNotification) => void;
  /**
   * Answers the server's own requests: resolves with the result, or rejects with an `McpRpcError`. Without
   * it every server request gets -32601.
   */
  onRequest?: (request: ServerRequest) => Promise<Record<string, unknown>>;
  /** What `initialize` offers the server (e.g. `sampling`, `elicitation`, `roots`); default none. */
  capabilities?: Record<string, unknown>;
}

type Pending = { id: number; method: string };

/**
 * A minimal Streamable HTTP MCP client on `fetch`: `initialize` (keeping `Mcp-Session-Id` and the
 * negotiated `MCP-Protocol-Version` for every later request), `notifications/initialized`, then
 * requests answered with `application/json` or a `text/event-stream`, and `DELETE` to end the session.
 */
export class McpHttpClient {
  private readonly fetch: typeof fetch;
  private nextId = 0;
  private sessionId: string | null = null;
  private protocolVersion: string | null = null;

  constructor(private readonly options: McpHttpClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get session(): string | null {
    return this.sessionId;
  }

  get negotiatedVersion(): string | null {
    return this.protocolVersion;
  }

  async connect(signal?: AbortSignal): Promise<InitializeResult> {
    this.sessionId = null;
    this.protocolVersion = null;
    const result = await this.request<InitializeResult>(
      'initialize',
      { protocolVersion: CLIENT_PROTOCOL_VERSION, capabilities: this.options.capabilities ?? {}, clientInfo: CLIENT_INFO },
      signal,
    );
    this.protocolVersion = result.protocolVersion;
    await this.notify('notifications/initialized', undefined, signal);
    return result;
  }

  /** Every tool, following `nextCursor` pages. */
  async listTools(signal?: AbortSignal): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result: ListToolsResult = await this.request<ListToolsResult>('tools/list', cursor ? { cursor } : {}, signal);
      tools.push(...result.tools);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    return tools;
  }

  /** Calls a tool; with a progress token so long calls stream their progress to `onNotification`. */
  callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const progressToken = `try-it-${this.nextId + 1}`;
    return this.request<CallToolResult>('tools/call', { name, arguments: args, _meta: { progressToken } }, signal);
  }

  /** Ends the session on the server (a server that does not allow it answers 405, which is fine). */
  async close(): Promise<void> {
    const sessionId = this.sessionId;
    this.sessionId = null;
    if (!sessionId) return;
    try {
      await this.fetch(this.options.url, { method: 'DELETE', headers: this.headers(sessionId), keepalive: true });
    } catch {
      // The page is going away or the proxy is down: the session times out on its own.
    }
  }

  private async notify(method: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    const message: JsonRpcNotification = params ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', method };
    const response = await this.post(message, signal);
    await response.body?.cancel().catch(() => undefined);
  }

  private async request<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const pending: Pending = { id: ++this.nextId, method };
    const response = await this.post({ jsonrpc: '2.0', id: pending.id, method, params }, signal);
    if (method === 'initialize') this.sessionId = response.headers.get('mcp-session-id');
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.includes('text/event-stream')) return (await this.readStream(response, pending)) as T;
    if (contentType.includes('application/json')) return this.resultOf(await response.json(), pending) as T;
    throw new McpHttpError(response.status, `Unexpected reply to ${method}: ${contentType || 'no content type'}`);
  }

  private async post(message: JsonRpcMessage, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers: { ...this.headers(this.sessionId), 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
        signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new McpHttpError(0, 'Cannot reach the proxy. Check that the gateway is running.');
    }
    if (response.ok) return response;
    const detail = await errorDetail(response);
    if (response.status === 404 && this.sessionId) {
      this.sessionId = null;
      throw new McpHttpError(404, `The MCP session has ended (${detail}). Connect again.`);
    }
    throw new McpHttpError(response.status, `HTTP ${response.status}: ${detail}`);
  }

  private headers(sessionId: string | null): Record<string, string> {
    // The portal header lets a tab without a token ride on the session cookie (the API's CSRF check).
    const headers: Record<string, string> = {
      Accept: 'application/json, text/event-stream',
      [PORTAL_REQUEST_HEADER]: PORTAL_REQUEST_VALUE,
    };
    const token = this.options.token();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (sessionId) headers['Mcp-Session-Id'] = sessionId;
    if (this.protocolVersion) headers['MCP-Protocol-Version'] = this.protocolVersion;
    return headers;
  }

  /** Reads the stream until the reply to `pending` arrives, passing on what comes before it. */
  private async readStream(response: Response, pending: Pending): Promise<unknown> {
    if (!response.body) throw new McpHttpError(response.status, `Empty stream in reply to ${pending.method}`);
    for await (const event of readSse(response.body)) {
      if (event.event !== 'message' || !event.data) continue;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        continue;
      }
      for (const item of Array.isArray(message) ? message : [message]) {
        const handled = this.handleIncoming(item, pending);
        if (handled.done) return handled.result;
      }
    }
    throw new McpHttpError(response.status, `The stream ended before the reply to ${pending.method}`);
  }

  private resultOf(body: unknown, pending: Pending): unknown {
    for (const item of Array.isArray(body) ? body : [body]) {
      const handled = this.handleIncoming(item, pending);
      if (handled.done) return handled.result;
    }
    throw new McpHttpError(200, `No reply to ${pending.method} in the response`);
  }

  private handleIncoming(item: unknown, pending: Pending): { done: true; result: unknown } | { done: false } {
    if (!isObject(item)) return { done: false };
    const hasMethod = typeof item['method'] === 'string';
    if (!hasMethod && item['id'] === pending.id) {
      const error = item['error'];
      if (isObject(error)) {
        throw new McpRpcError(Number(error['code']), String(error['message'] ?? 'Unknown error'), error['data']);
      }
      return { done: true, result: item['result'] };
    }
    if (hasMethod && item['id'] === undefined) {
      this.options.onNotification?.(item as unknown as JsonRpcNotification);
    } else if (hasMethod) {
      void this.answer(item);
    }
    return { done: false };
  }

  /** Runs the handler for a server request and posts its result or error; the stream keeps being read meanwhile. */
  private async answer(item: Record<string, unknown>): Promise<void> {
    const id = item['id'];
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const method = String(item['method']);
    const params = isObject(item['params']) ? item['params'] : {};
    let reply: JsonRpcMessage;
    if (!this.options.onRequest) {
      reply = { jsonrpc: '2.0', id, error: { code: METHOD_NOT_FOUND, message: `The "Try it" client does not handle ${method}` } };
    } else {
      try {
        reply = { jsonrpc: '2.0', id, result: await this.options.onRequest({ id, method, params }) };
      } catch (error) {
        const code = error instanceof McpRpcError ? error.code : -32603;
        reply = { jsonrpc: '2.0', id, error: { code, message: error instanceof Error ? error.message : 'Unexpected error' } };
      }
    }
    try {
      const response = await this.post(reply);
      await response.body?.cancel().catch(() => undefined);
    } catch {
      // Nothing to do: the server's request times out on its side.
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The proxy's own words for a failed request: a JSON-RPC error, an API error, or the status text. */
async function errorDetail(response: Response): Promise<string> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    return response.statusText || 'no details';
  }
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body)) {
      const error = body['error'];
      if (isObject(error) && typeof error['message'] === 'string') return error['message'];
      const message = body['message'];
      if (typeof message === 'string') return message;
      if (Array.isArray(message)) return message.join('; ');
    }
  } catch {
    // Not JSON: use the text as it is.
  }
  return text.trim().slice(0, 300) || response.statusText || 'no details';
}
