import { MCP_METHODS, progressTokenOf, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import { filterToolList, SessionScope, ToolPredicate, toolPredicateOfScope } from '../scope/tool-scope';
import type { CallTrace } from '../../core/tracing/call-trace';
import { EventLog } from './event-log';
import type { MessageSink, ResumableSink } from './message-sink';

/** A client request still waiting for its answer. */
export interface InFlight {
  clientId: JsonRpcId;
  method: string;
  /** Where the answer goes (the POST that asked, or the session's stream for WebSocket/legacy SSE). */
  sink: MessageSink | null;
  /** The client's own progress token, when it asked for progress. */
  progressToken?: string | number;
  /** Set by a shared upstream: the id it used towards the child, to cancel it there. */
  upstreamId?: JsonRpcId;
  /** Called when the client cancels or disappears (2026-07-28 stream close). */
  cancel?: () => void;
  startedAt: number;
  /** High-resolution start, for latency metrics. */
  startedAtMs: number;
  /** When a related message (progress, a server request) last went to the client (`performance.now()`). */
  relatedSentAt?: number;
  /** Rewrites the answer before it leaves (a group maps member resource URIs back to its own). */
  transformAnswer?: (answer: JsonRpcMessage) => JsonRpcMessage;
  /** The call's trace, when tracing is on. */
  trace?: CallTrace;
  /** A `tools/list` answer the proxy made for this caller (tool search's meta-tools): not filtered by the allow-list again. */
  listedForCaller?: boolean;
  /** A recorded call (`tools/call`, `prompts/get`, `resources/read`): the tool or prompt name or the URI, as the client sent it. */
  target?: string;
  /** A recorded call's arguments, as the client sent them (hashed for the call log, never stored). */
  args?: unknown;
  /** A group's call: the member that served it and the name (or URI) it has there. */
  member?: { serviceId: string; serviceName: string; target: string };
  /** The length of the answer's frame as the server sent it, when the upstream had one. */
  responseChars?: number;
}

/** The calls the call log records: the ones that make a server act or hand out content. */
const RECORDED_METHODS: ReadonlySet<string> = new Set([MCP_METHODS.TOOLS_CALL, MCP_METHODS.RESOURCES_READ, MCP_METHODS.PROMPTS_GET]);

/**
 * The SDK clients handle notifications a microtask later than responses: a progress notification
 * read in the same chunk as the answer is dropped. An answer is held back until this long after the
 * last related message went out, so the client has read that one on its own (a couple of milliseconds
 * were not enough on a busy machine) and the last progress update reaches the user.
 */
const RELATED_GAP_MS = 10;

/** Told how every request ends (metrics, the call log). */
export interface RequestObserver {
  /** An answer is on its way to the client (an error or a time-out included). */
  answered(session: ClientSession, entry: InFlight, response: JsonRpcMessage): void;
  /** Forgotten without an answer: the client cancelled it, or its session ended first. */
  dropped?(session: ClientSession, entry: InFlight): void;
  /** It reads `entry.args` (the call log): only then does a call keep its arguments (a large request's bytes) until it ends. */
  keepsArguments?: boolean;
}

export type SessionTransport = 'streamable-http' | 'legacy-sse' | 'websocket' | 'stateless';

const key = (id: JsonRpcId): string => (typeof id === 'number' ? `n${id}` : `s${id}`);

/**
 * One client's conversation with one service: who owns it, what it is waiting for, and where
 * messages that are not answers (notifications, server requests) go.
 */
export class ClientSession {
  lastActivity = Date.now();
  /** The session's own stream: the GET stream, the legacy SSE stream, or the WebSocket. */
  standalone: MessageSink | null = null;
  private readonly inflight = new Map<string, InFlight>();
  private readonly byProgressToken = new Map<string | number, InFlight>();
  /** Resource URIs this client subscribed to (shared mode fans `resources/updated` out by these). */
  readonly subscriptions = new Set<string>();
  closed = false;
  observer: RequestObserver | null = null;
  /** What the client said it can do in `initialize` (sampling, elicitation, roots). */
  clientCapabilities: Record<string, unknown> = {};
  /** The client's `clientInfo` from `initialize`, kept with a persisted session. */
  clientInfo: Record<string, unknown> | null = null;
  /** Persisted: it outlives a restart of the proxy, and another instance can take it over. */
  durable = false;
  /** Streamable HTTP: recent SSE events for `Last-Event-ID` resumption, and the POST streams still open. */
  readonly log = new EventLog();
  readonly postStreams = new Map<string, ResumableSink>();
  /** The owner's tool allow-list (client tokens, OAuth grants); null: every tool. */
  toolAllowList: ToolPredicate | null = null;
  /** The owner may only list (a named viewer): every other request is refused (`refusedListOnly`). */
  listOnly = false;
  /** The owner's limits as the session was opened with them: kept with a persisted session, so a revived one has them too. */
  scope: SessionScope = {};
  /** Who opened the session, as the call log names them (kind and a readable label, no credential). */
  owner: { kind: Principal['kind']; label: string | null } | null = null;

  constructor(
    readonly id: string,
    readonly serviceId: string,
    readonly principalId: string,
    readonly transport: SessionTransport,
    public protocolVersion: string,
  ) {}

  /** Binds the session to its owner's limits (at open, or as persisted when it is brought back). */
  limitTo(scope: SessionScope | undefined): void {
    this.scope = {
      ...(scope?.services ? { services: [...scope.services] } : {}),
      ...(scope?.tools ? { tools: [...scope.tools] } : {}),
      ...(scope?.listOnly ? { listOnly: true } : {}),
    };
    this.toolAllowList = toolPredicateOfScope(this.scope);
    this.listOnly = this.scope.listOnly === true;
  }

  /** Remembers who owns the session (at open, or when it is brought back for its owner). */
  ownedBy(principal: Principal): void {
    this.owner = { kind: principal.kind, label: principal.label ?? null };
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** The one request in flight, if exactly one: the only safe owner of a server→client request. */
  soleInFlight(): InFlight | null {
    if (this.inflight.size !== 1) return null;
    return this.inflight.values().next().value ?? null;
  }

  begin(request: JsonRpcRequest, sink: MessageSink | null): InFlight | null {
    const id = key(request.id);
    if (this.inflight.has(id)) return null;
    const progressToken = progressTokenOf(request);
    const entry: InFlight = {
      clientId: request.id,
      method: request.method,
      sink,
      progressToken,
      startedAt: Date.now(),
      startedAtMs: performance.now(),
    };
    if (RECORDED_METHODS.has(request.method)) {
      const params = request.params as { name?: unknown; uri?: unknown; arguments?: unknown } | undefined;
      const target = params?.name ?? params?.uri;
      if (typeof target === 'string') entry.target = target;
      // Read when the call is recorded, after the answer left: a large message's arguments are parsed only then.
      if (this.observer?.keepsArguments)
        Object.defineProperty(entry, 'args', { get: () => params?.arguments, enumerable: true, configurable: true });
    }
    this.inflight.set(id, entry);
    if (progressToken !== undefined) this.byProgressToken.set(progressToken, entry);
    this.lastActivity = entry.startedAt;
    return entry;
  }

  find(clientId: JsonRpcId): InFlight | undefined {
    return this.inflight.get(key(clientId));
  }

  findByProgressToken(token: string | number): InFlight | undefined {
    return this.byProgressToken.get(token);
  }

  /** Delivers the answer to its request's sink (or the session stream) and forgets the request. */
  finish(entry: InFlight, response: JsonRpcMessage): void {
    this.inflight.delete(key(entry.clientId));
    if (entry.progressToken !== undefined) this.byProgressToken.delete(entry.progressToken);
    this.lastActivity = Date.now();
    if (entry.transformAnswer) response = entry.transformAnswer(response);
    // Here, after caches and group merging, so every transport and every upstream kind is covered.
    if (this.toolAllowList && entry.method === 'tools/list' && !entry.listedForCaller)
      response = filterToolList(response, this.toolAllowList);
    if (entry.trace) endTrace(entry.trace, response);
    const sinceRelated = entry.relatedSentAt === undefined ? Infinity : performance.now() - entry.relatedSentAt;
    if (sinceRelated < RELATED_GAP_MS) {
      setTimeout(() => this.deliver(entry, response), RELATED_GAP_MS - sinceRelated);
    } else {
      this.deliver(entry, response);
    }
    // After the answer is on its way: metrics and the call record (hashing large arguments) never delay it.
    this.observer?.answered(this, entry, response);
  }

  private deliver(entry: InFlight, response: JsonRpcMessage): void {
    if (!(entry.sink && entry.sink.send(response))) this.standalone?.send(response);
  }

  /** Forgets a request without answering it (the client cancelled it). */
  drop(entry: InFlight): void {
    entry.trace?.end({ outcome: 'cancelled' });
    if (!this.inflight.delete(key(entry.clientId))) return;
    if (entry.progressToken !== undefined) this.byProgressToken.delete(entry.progressToken);
    this.observer?.dropped?.(this, entry);
  }

  /** A message related to a request (progress, a server request) goes on that request's stream when it can. */
  sendRelated(entry: InFlight | undefined, message: JsonRpcMessage): boolean {
    if (entry) entry.relatedSentAt = performance.now();
    if (entry?.sink?.streaming && entry.sink.send(message)) return true;
    return this.sendUnrelated(message);
  }

  sendUnrelated(message: JsonRpcMessage): boolean {
    return this.standalone?.send(message) ?? false;
  }

  /** Every request still waiting, for cancellation when the session ends. */
  pending(): InFlight[] {
    return [...this.inflight.values()];
  }
}

function endTrace(trace: CallTrace, response: JsonRpcMessage): void {
  if ('error' in response && response.error) return trace.end({ outcome: 'error', errorCode: response.error.code });
  const result = 'result' in response ? (response.result as { isError?: unknown } | undefined) : undefined;
  trace.end({ outcome: 'ok', toolError: result?.isError === true });
}
