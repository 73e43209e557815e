import { JsonRpcMessage, parseMessage, SseMessage, SseParser } from '@mcp-proxy/mcp/protocol';
import { currentTraceparent } from '../../core/tracing/trace-slot';

/** A remote's SSE events are bounded like a child's stdout lines. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;
/** Bodies of error answers are read only this far, for the message. */
const ERROR_BODY_CHARS = 300;

/** Redirects followed for one request; a remote that redirects more is misconfigured. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A remote that redirected to another origin. The configured headers carry the remote's credentials,
 * so the proxy does not follow: the user points `remote.url` at the new address if it is trusted.
 */
export class CrossOriginRedirect extends Error {
  constructor(status: number, from: URL, to: URL) {
    super(
      `${from.origin} answered ${status}, a redirect to another origin (${to.origin}); the service's headers are never sent there: set remote.url to the new address if you trust it`,
    );
    this.name = 'CrossOriginRedirect';
  }
}

/**
 * `fetch` towards a remote: redirects are followed only within the remote's own origin (scheme, host and
 * port), where the configured credential headers belong; a redirect anywhere else throws CrossOriginRedirect
 * before anything is sent there. 303 (and 301/302 after a POST) continue as GET without a body, as fetch does.
 */
export async function remoteFetch(url: URL, init: RequestInit): Promise<Response> {
  let current = url;
  let { method = 'GET', body } = init;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { ...init, method, body, redirect: 'manual' });
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== url.origin) throw new CrossOriginRedirect(response.status, current, next);
    if (hop >= MAX_REDIRECTS) throw new Error(`${url.origin} redirected more than ${MAX_REDIRECTS} times`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next;
  }
}

/** Every JSON-RPC message in a JSON body or SSE `data` (an array is a batch); anything else is skipped. */
export function messagesIn(text: string): JsonRpcMessage[] {
  const parsed = parseMessage(text, { allowBatch: true, allowNullRequestId: true });
  if (!parsed.ok) return [];
  if (parsed.kind === 'batch') return parsed.items.flatMap((item) => (item.ok ? [item.message] : []));
  return [parsed.message];
}

/** Reads an SSE body to its end (or until aborted), handing each event on. Resolves when the stream ends. */
export async function readSse(
  body: ReadableStream<Uint8Array> | null,
  onEvent: (event: SseMessage) => void,
  onRetry?: (ms: number) => void,
): Promise<void> {
  if (!body) return;
  const parser = new SseParser({ onEvent, onRetry, maxEventSize: MAX_EVENT_CHARS });
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) parser.push(chunk);
}

/** The configured headers and the W3C trace context of the call being forwarded, if tracing is on. */
export function outgoingHeaders(configured: Readonly<Record<string, string>>, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { ...configured, ...extra };
  const traceparent = currentTraceparent();
  if (traceparent) headers['traceparent'] = traceparent;
  return headers;
}

/** "HTTP 401: <the start of the body>", for error messages a user reads. */
export async function describeHttpError(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS);
  return `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`;
}

/** Why a fetch failed, in words: "connection refused", "host not found", or the error's own. */
export function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case undefined:
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'AbortError';
}
