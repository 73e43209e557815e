/**
 * What the proxy reads of one POSTed message to a reverse-proxied `http` service, and of the child's answer:
 * enough for the call history (method, tool, outcome, sizes) and for tool pinning (a `tools/list` answer compared
 * with the pins and, under `block`, filtered; a call to a held tool refused). The request body is read by its
 * envelope (a large one is not decoded); the answer is relayed as it comes, and parsed only up to the envelope of
 * the one message that answers the request — wholly only when it is a `tools/list` to compare.
 */
import {
  encodeSseComment,
  encodeSseEvent,
  encodeSseRetry,
  isResponse,
  MCP_METHODS,
  parseMessageBytes,
  SseParser,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
} from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import { outcomeOf, type FinishedCall } from '../metrics/call-record';
import type { ServiceRoute } from '../routing/route-table';
import { withoutHeldTools, type UpstreamToolPins } from '../upstream/tool-pin-guard';

/** The methods the call history keeps (as for every other transport). */
const RECORDED_METHODS: ReadonlySet<string> = new Set([MCP_METHODS.TOOLS_CALL, MCP_METHODS.RESOURCES_READ, MCP_METHODS.PROMPTS_GET]);

/** A tools/list answer (or an SSE event around it) larger than this is passed on unread rather than held. */
const MAX_SCREENED_BYTES = 16 * 1024 * 1024;

/** How the exchange ends in the call history. */
export type RecordCall = (call: FinishedCall) => void;

export interface ExchangeContext {
  route: ServiceRoute;
  principal: Principal;
  clientInfo: Record<string, unknown> | null;
  /** Tool pinning of the service; null when its policy is `off`. */
  pins: UpstreamToolPins | null;
  /** Set when the call is to be recorded; `withPayload`: the service keeps the answer. */
  record: RecordCall | null;
  withPayload: boolean;
  /** A first page of the child's tools was compared with the pins. */
  listed: () => void;
}

/** One POSTed request and what became of it. */
export class HttpServiceExchange {
  private readonly startedAtMs = performance.now();
  private ended = false;
  /** A reply timed out in the proxy (the child did not answer in the service's request time-out). */
  timedOut = false;

  constructor(
    readonly request: JsonRpcRequest,
    private readonly context: ExchangeContext,
  ) {}

  get id(): JsonRpcId {
    return this.request.id;
  }

  /** The answer must be read whole: a `tools/list` whose tools are compared with the pins (and may be filtered). */
  get screens(): boolean {
    return this.request.method === MCP_METHODS.TOOLS_LIST && this.context.pins !== null;
  }

  /** The answer's envelope is read on its way: a call the history keeps. */
  get records(): boolean {
    return this.context.record !== null && RECORDED_METHODS.has(this.request.method);
  }

  /** The child's answer (its frame's length in bytes), or null when none came (the call was cut or timed out). */
  answered(response: JsonRpcMessage | null, responseBytes: number | undefined): void {
    if (this.ended || !this.records) return;
    this.ended = true;
    const { route, principal, clientInfo, record, withPayload } = this.context;
    const { outcome, errorCode } = response
      ? outcomeOf(response)
      : this.timedOut
        ? timeoutOutcome
        : { outcome: 'cancelled' as const, errorCode: null };
    const params = this.request.params as { name?: unknown; uri?: unknown; arguments?: unknown } | undefined;
    const target = params?.name ?? params?.uri;
    record?.({
      at: Date.now(),
      durationMs: performance.now() - this.startedAtMs,
      principalKind: principal.kind,
      principalId: principal.id,
      principalLabel: principal.label ?? null,
      clientInfo,
      endpointId: route.id,
      endpointName: route.name,
      serviceId: route.id,
      serviceName: route.name,
      method: this.request.method,
      target: typeof target === 'string' ? target : undefined,
      memberTarget: undefined,
      // Read when the row is made, off the answer's path (a large message's arguments are parsed only then).
      get args() {
        return params?.arguments;
      },
      responseChars: responseBytes,
      outcome,
      errorCode,
      response: withPayload ? response : null,
    });
  }

  /** The answer travels elsewhere (a 202: an older server's GET stream): this exchange records nothing. */
  abandon(): void {
    this.ended = true;
  }

  /** Recorded (or not to be): nothing more of the answer needs reading for the call history. */
  get done(): boolean {
    return this.ended || !this.records;
  }

  /** Reads one message of the answer: when it answers this request, the call is recorded; returns it as the client should see it. */
  screenMessage(bytes: Buffer): Buffer {
    const parsed = parseMessageBytes(bytes);
    if (!parsed.ok || parsed.kind !== 'response' || parsed.message.id !== this.request.id) return bytes;
    const message = parsed.message;
    this.answered(message, bytes.length);
    const pins = this.context.pins;
    if (!this.screens || !pins || !('result' in message)) return bytes;
    pins.observe(message.result, this.request.params);
    if (!(this.request.params as { cursor?: unknown } | undefined)?.cursor) this.context.listed();
    const result = withoutHeldTools(message.result, pins.held());
    return result === message.result ? bytes : Buffer.from(JSON.stringify({ ...message, result }), 'utf8');
  }

  /** Reads one message of the answer for the call history only (the bytes go on untouched). */
  watchMessage(bytes: Buffer | string): void {
    if (this.ended) return;
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const parsed = parseMessageBytes(buffer);
    if (!parsed.ok || parsed.kind !== 'response' || !isResponse(parsed.message)) return;
    const message = parsed.message;
    // A server's refusal of the whole request (a 400 or 404) answers with a null id.
    if (message.id === this.request.id || ('error' in message && message.id === null)) this.answered(message, buffer.length);
  }
}

const timeoutOutcome = { outcome: 'timeout' as const, errorCode: null };

/**
 * Watches an SSE answer for the call history: every chunk goes on as it came (the caller writes it), and the
 * message events are read as they complete until the one that answers the request.
 */
export function sseWatcher(exchange: HttpServiceExchange): (chunk: Buffer) => void {
  let done = false;
  const parser = new SseParser({
    onEvent: (event) => {
      if (done || event.type !== 'message') return;
      exchange.watchMessage(event.data);
      done = exchange.done;
    },
    // Only a runaway event is dropped unread (the call is then recorded as cut when the stream ends).
    maxEventSize: MAX_SCREENED_BYTES,
  });
  return (chunk) => {
    if (!done) parser.push(chunk);
  };
}

/**
 * Rewrites an SSE answer to a `tools/list`: each event is passed on as it completes, the one answering the list
 * with the held tools left out. Comments and retry hints pass too; nothing else of the stream changes meaning.
 */
export function sseScreen(exchange: HttpServiceExchange, write: (text: string) => void): (chunk: Buffer) => void {
  const parser = new SseParser({
    onEvent: (event) => {
      const data = event.type === 'message' ? exchange.screenMessage(Buffer.from(event.data, 'utf8')).toString('utf8') : event.data;
      write(
        encodeSseEvent({
          ...(event.type === 'message' ? {} : { event: event.type }),
          ...(event.lastEventId ? { id: event.lastEventId } : {}),
          data,
        }),
      );
    },
    onComment: (text) => write(encodeSseComment(text)),
    onRetry: (ms) => write(encodeSseRetry(ms)),
    maxEventSize: MAX_SCREENED_BYTES,
  });
  return (chunk) => parser.push(chunk);
}

/** The limit on a JSON answer held to screen it. */
export const MAX_SCREENED_JSON_BYTES = MAX_SCREENED_BYTES;
