import { Injectable } from '@nestjs/common';
import {
  errorResponse,
  INVALID_REQUEST,
  isNotification,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  MCP_METHODS,
  MCP_URL_ELICITATION_REQUIRED,
  negotiateInitializeProtocolVersion,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { childPerSession } from '@mcp-proxy/shared/dto';
import { AUTH_EVENTS, AuthRefusal } from '../core/auth/auth-events';
import type { Principal } from '../core/auth/principal';
import type { CallTrace } from '../core/tracing/call-trace';
import { TracingService } from '../core/tracing/tracing.service';
import { withTraceparent } from '../core/tracing/trace-slot';
import type { Upstream } from './upstream/upstream';
import type { InFlight } from './sessions/client-session';
import type { ServiceRoute } from './routing/route-table';
import { toolToCheck } from './groups/tool-search';
import { LIST_ONLY_REASON, refusedListOnly, refusedToolCall, sessionScopeOf, ToolPredicate } from './scope/tool-scope';
import type { ClientSession, SessionTransport } from './sessions/client-session';
import type { MessageSink } from './sessions/message-sink';
import { SessionStore, SHARED_SESSION_IDLE_MS } from './sessions/session-store';
import { UpstreamRegistry } from './upstream/upstream-registry';
import { handedOn } from './http/incoming-rpc';

function capabilitiesOf(request: JsonRpcRequest): Record<string, unknown> {
  const capabilities = (request.params as { capabilities?: unknown } | undefined)?.capabilities;
  return capabilities && typeof capabilities === 'object' ? (capabilities as Record<string, unknown>) : {};
}

function clientInfoOf(request: JsonRpcRequest): Record<string, unknown> | null {
  const info = (request.params as { clientInfo?: unknown } | undefined)?.clientInfo;
  return info && typeof info === 'object' ? (info as Record<string, unknown>) : null;
}

function negotiatedVersion(request: JsonRpcRequest): string {
  return negotiateInitializeProtocolVersion((request.params as { protocolVersion?: unknown } | undefined)?.protocolVersion);
}

/** How long a request waits for a service that is starting or restarting before it is told so. */
const START_WAIT_MS = 15_000;

/**
 * What every transport does with a client's messages once it has a session: the same rules for
 * Streamable HTTP, legacy SSE and WebSocket. Transports only decide where answers are written.
 */
@Injectable()
export class McpDispatcher {
  constructor(
    private readonly upstreams: UpstreamRegistry,
    private readonly sessions: SessionStore,
    private readonly events: EventEmitter2,
    private readonly tracing: TracingService,
  ) {}

  /**
   * Opens a session for an `initialize` request (Streamable HTTP). Throws ServiceUnavailable when
   * the service cannot serve it; nothing is left behind then.
   */
  async open(route: ServiceRoute, principal: Principal, transport: SessionTransport, request: JsonRpcRequest): Promise<ClientSession> {
    const session = this.createSession(route, principal, transport, negotiatedVersion(request));
    session.clientCapabilities = capabilitiesOf(request);
    session.clientInfo = clientInfoOf(request);
    try {
      await this.prepare(route, session);
    } catch (error) {
      this.sessions.close(session);
      throw error;
    }
    // A shared server's session holds nothing but what was negotiated: it can be re-created anywhere.
    if (!childPerSession(route.process.isolation)) this.sessions.persist(session);
    return session;
  }

  /** A session that exists before `initialize` (legacy SSE stream, WebSocket connection). */
  createSession(route: ServiceRoute, principal: Principal, transport: SessionTransport, protocolVersion: string): ClientSession {
    const idleMs = childPerSession(route.process.isolation) ? route.process.sessionIdleTimeoutSec * 1000 : SHARED_SESSION_IDLE_MS;
    const session = this.sessions.create(route.id, principal.id, transport, protocolVersion, idleMs);
    session.limitTo(sessionScopeOf(principal));
    session.ownedBy(principal);
    return session;
  }

  /**
   * Makes sure the session has a server to talk to: the shared child ready, or (isolation `session` and
   * `pool`) a child of its own, spawned now or taken from the pool.
   */
  async prepare(route: ServiceRoute, session: ClientSession, request?: JsonRpcRequest): Promise<void> {
    if (request) {
      session.protocolVersion = negotiatedVersion(request);
      session.clientCapabilities = capabilitiesOf(request);
      session.clientInfo = clientInfoOf(request);
    }
    if (childPerSession(route.process.isolation)) {
      if (!this.upstreams.of(session)) await this.upstreams.dedicatedFor(route, session);
      return;
    }
    await this.upstreams.sharedFor(route, START_WAIT_MS);
    // Upstream OAuth: the session's connection opens its own session with the remote now. One that cannot
    // (no connection yet, tokens refused) still opens here: its calls are told why, and what to do.
    if (route.upstreamOAuth) await this.upstreams.connectionFor(route, session).catch(() => null);
  }

  /**
   * Answers `initialize`: by the session's own child (`session`), or from what the server said when the proxy
   * initialized it (the shared child, a pool's child).
   */
  initialize(session: ClientSession, route: ServiceRoute, request: JsonRpcRequest, sink: MessageSink, traceparent?: string): void {
    if (route.process.isolation === 'session') {
      // The session's own child answers, with its own capabilities and version.
      const upstream = this.upstreams.of(session);
      const entry = session.begin(request, sink);
      if (upstream && entry) this.forward(upstream, session, route, entry, request, traceparent);
      return;
    }
    const identity =
      this.upstreams.connectionIdentity(session) ??
      (route.process.isolation === 'pool' ? this.upstreams.pooledIdentity(session) : this.upstreams.sharedIdentity(route.id));
    const entry = session.begin(request, sink);
    if (!entry) return;
    this.trace(session, route, entry, request, traceparent);
    if (!identity) {
      return session.finish(entry, errorResponse(request.id, INVALID_REQUEST, 'The MCP server restarted during initialization; try again'));
    }
    session.finish(entry, {
      jsonrpc: '2.0',
      id: request.id,
      result: {
        protocolVersion: session.protocolVersion,
        capabilities: identity.capabilities,
        serverInfo: identity.serverInfo,
        ...(identity.instructions ? { instructions: identity.instructions } : {}),
      },
    });
  }

  /**
   * Sends a request on its way; the answer reaches `makeSink()`'s sink. The sink is made only once
   * the service is known to be available, so a transport can still answer with an HTTP error.
   */
  async request(
    session: ClientSession,
    route: ServiceRoute,
    request: JsonRpcRequest,
    makeSink: () => MessageSink,
    traceparent?: string,
  ): Promise<void> {
    if (request.method === MCP_METHODS.INITIALIZE) {
      const sink = makeSink();
      sink.send(errorResponse(request.id, INVALID_REQUEST, 'This session is already initialized; start a new session to initialize again'));
      return;
    }
    if (request.method === MCP_METHODS.PING) {
      const sink = makeSink();
      if (!sink.send({ jsonrpc: '2.0', id: request.id, result: {} })) session.sendUnrelated({ jsonrpc: '2.0', id: request.id, result: {} });
      return;
    }
    const refusal =
      this.refuseListOnly(route, session, request) ?? this.refuseTool(route, session.principalId, session.toolAllowList, request);
    if (refusal) {
      if (!makeSink().send(refusal)) session.sendUnrelated(refusal);
      return;
    }
    const upstream =
      (await this.connectionOf(route, session, request, makeSink)) ??
      this.upstreams.of(session) ??
      (await this.upstreams.sharedFor(route, START_WAIT_MS));
    if (upstream === 'answered') return;
    const sink = makeSink();
    const entry = session.begin(request, sink);
    if (!entry) {
      sink.send(errorResponse(request.id, INVALID_REQUEST, `Request id ${JSON.stringify(request.id)} is already in use in this session`));
      return;
    }
    this.forward(upstream, session, route, entry, request, traceparent);
  }

  /**
   * Upstream OAuth: the session's connection's upstream (a connection made since the session opened is
   * picked up here); null without one. A connection that cannot open a session answers the request with why;
   * no connection, and a client that declared URL elicitation, answers with the URL to connect at.
   */
  private async connectionOf(
    route: ServiceRoute,
    session: ClientSession,
    request: JsonRpcRequest,
    makeSink: () => MessageSink,
  ): Promise<Upstream | 'answered' | null> {
    if (!route.upstreamOAuth) return null;
    try {
      const connection = await this.upstreams.connectionFor(route, session);
      if (connection) return connection;
      // No connection: a client that can open a URL is sent to connect (MCP 2025-11-25: -32042, then it calls again).
      const elicitation = await this.upstreams.elicitationFor(route, session);
      if (!elicitation) return null;
      const answer = errorResponse(request.id, MCP_URL_ELICITATION_REQUIRED, elicitation.message, { elicitations: [elicitation] });
      if (!makeSink().send(answer)) session.sendUnrelated(answer);
      return 'answered';
    } catch (error) {
      const why = (error as Error).message;
      const answer: JsonRpcMessage =
        request.method === MCP_METHODS.TOOLS_CALL
          ? { jsonrpc: '2.0', id: request.id, result: { isError: true, content: [{ type: 'text', text: why }] } }
          : errorResponse(request.id, SERVER_UNAVAILABLE, why);
      if (!makeSink().send(answer)) session.sendUnrelated(answer);
      return 'answered';
    }
  }

  /** Hands the request to its upstream; traced, the upstream leg's context goes along (an HTTP upstream sends it on). */
  private forward(
    upstream: Upstream,
    session: ClientSession,
    route: ServiceRoute,
    entry: InFlight,
    request: JsonRpcRequest,
    traceparent?: string,
  ): void {
    const timeoutMs = route.proxy.requestTimeoutSec * 1000;
    const trace = this.trace(session, route, entry, request, traceparent);
    if (!trace) return upstream.forward(session, entry, request, timeoutMs);
    const leg = trace.forwarded(route.kind === 'group' ? 'group' : route.transport);
    withTraceparent(leg.traceparent, () => upstream.forward(session, entry, request, timeoutMs));
  }

  /** Starts the call's trace (null when tracing is off); it ends when the session finishes or drops the call. */
  private trace(
    session: ClientSession,
    route: ServiceRoute,
    entry: InFlight,
    request: JsonRpcRequest,
    traceparent?: string,
  ): CallTrace | null {
    if (!this.tracing.enabled) return null;
    const params = request.params as { name?: unknown; _meta?: { traceparent?: unknown } } | undefined;
    const fromMeta = params?._meta?.traceparent;
    const trace = this.tracing.tracer.startCall({
      method: request.method,
      service: route.name,
      tool: request.method === MCP_METHODS.TOOLS_CALL && typeof params?.name === 'string' ? params.name : undefined,
      requestId: request.id,
      sessionId: session.id,
      transport: session.transport,
      traceparent: traceparent ?? (typeof fromMeta === 'string' ? fromMeta : undefined),
    });
    if (trace) entry.trace = trace;
    return trace;
  }

  /**
   * The JSON-RPC error for a `tools/call` outside the caller's allow-list (recorded in the audit log),
   * or null when the call may go on. Transports that can answer with HTTP use it before a session exists.
   */
  refuseTool(route: ServiceRoute, principalId: string, allowed: ToolPredicate | null, request: JsonRpcRequest): JsonRpcMessage | null {
    if (request.method !== MCP_METHODS.TOOLS_CALL || !allowed) return null;
    // Tool search: `call_tool` is checked by the tool it runs, exactly like a direct call of that tool.
    const called = toolToCheck(request.params, route.group?.toolSearch === true);
    if (!called) return null;
    const refusal = refusedToolCall(request.id, called, allowed);
    if (refusal) {
      const tool = typeof called.name === 'string' ? called.name : '';
      const event: AuthRefusal = {
        status: 403,
        method: 'tools/call',
        path: route.proxy.path,
        address: 'mcp session',
        reason: `tool "${tool}" is not in the allow-list`,
        actor: { id: principalId, kind: 'client' },
      };
      this.events.emit(AUTH_EVENTS.refused, event);
    }
    return refusal;
  }

  /**
   * The JSON-RPC error for a request of a list-only session (a named viewer) that would make the server
   * act, recorded in the audit log like a refused tool; null for the handshake, ping and the lists.
   */
  private refuseListOnly(route: ServiceRoute, session: ClientSession, request: JsonRpcRequest): JsonRpcMessage | null {
    if (!session.listOnly) return null;
    const refusal = refusedListOnly(request, route.group?.toolSearch === true);
    if (refusal) {
      const tool = (request.params as { name?: unknown } | undefined)?.name;
      const event: AuthRefusal = {
        status: 403,
        method: request.method,
        path: route.proxy.path,
        address: 'mcp session',
        reason: `${request.method}${typeof tool === 'string' ? ` of "${tool}"` : ''} refused: ${LIST_ONLY_REASON}`,
        actor: { id: session.principalId, kind: 'user' },
      };
      this.events.emit(AUTH_EVENTS.refused, event);
    }
    return refusal;
  }

  /**
   * A client's notification or answer to the server, handed to the session's upstream. Resolves once a large
   * one has been written to the server (see `handedOn`: its body counts until then), at once when it went nowhere.
   */
  async deliver(session: ClientSession, message: JsonRpcNotification | JsonRpcResponse): Promise<void> {
    session.lastActivity = Date.now();
    const written = handedOn(message);
    const upstream = this.upstreams.of(session);
    const handed = isNotification(message) ? upstream?.notify(session, message) : upstream?.answer(session, message);
    if (handed) await written;
  }
}
