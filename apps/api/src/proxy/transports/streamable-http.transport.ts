import { Injectable } from '@nestjs/common';
import {
  detectRequestEra,
  errorResponse,
  HEADER_LAST_EVENT_ID,
  HEADER_MCP_PROTOCOL_VERSION,
  HEADER_MCP_SESSION_ID,
  INVALID_REQUEST,
  isNotification,
  isRequest,
  isStatelessProtocolVersion,
  isSupportedProtocolVersion,
  JsonRpcMessage,
  JsonRpcRequest,
  MCP_METHODS,
  progressTokenOf,
  PROTOCOL_VERSION_2025_03_26,
  SERVER_UNAVAILABLE,
  SESSION_NOT_FOUND,
  SUPPORTED_PROTOCOL_VERSIONS,
  validateStatelessRequest,
} from '@mcp-proxy/mcp/protocol';
import { childPerSession, type ResponseMode } from '@mcp-proxy/shared/dto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../core/auth/principal';
import { TRACEPARENT_HEADER } from '../../core/tracing/trace-slot';
import { acceptedReplies, headerValue, sendEmpty, sendRpcError } from '../../core/http/http-io';
import { readRpcMessage, withinRateLimit } from '../http/incoming-rpc';
import { BodyBudget } from '../../core/http/body-budget';
import { JsonReplySink, SseSink } from '../http/reply-sinks';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { RateLimiter } from '../limits/rate-limiter';
import { McpDispatcher } from '../mcp-dispatcher';
import { sendInsufficientScope, sessionScopeOf, toolPredicateOf } from '../scope/tool-scope';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession } from '../sessions/client-session';
import type { MessageSink } from '../sessions/message-sink';
import { SessionStore } from '../sessions/session-store';
import { ServiceUnavailable, UpstreamRegistry } from '../upstream/upstream-registry';

/**
 * Streamable HTTP (MCP 2025-03-26 … 2025-11-25, sessions) and its stateless form (2026-07-28), on
 * one URL, plus plain one-shot JSON-RPC POSTs for scripts and curl.
 */
@Injectable()
export class StreamableHttpTransport {
  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly sessions: SessionStore,
    private readonly upstreams: UpstreamRegistry,
    private readonly rateLimiter: RateLimiter,
    private readonly heartbeat: StreamHeartbeat,
    private readonly bodyBudget: BodyBudget,
  ) {}

  async post(request: IncomingMessage, response: ServerResponse, route: ServiceRoute, principal: Principal): Promise<void> {
    const message = await readRpcMessage(request, response, this.bodyBudget);
    if (!message || !(await withinRateLimit(this.rateLimiter, route, principal, message, response))) return;

    if (principal.audience && isRequest(message)) {
      // OAuth step-up (MCP authorization, scope challenge): a tool outside the grant is a 403 the client can act on.
      const refusal = this.dispatcher.refuseTool(route, principal.id, toolPredicateOf(principal), message);
      if (refusal) return sendInsufficientScope(response, refusal, principal.audience);
    }
    const sessionId = headerValue(request, HEADER_MCP_SESSION_ID);
    if (isRequest(message) && message.method === MCP_METHODS.INITIALIZE)
      return this.initialize(request, response, route, principal, message);
    if (!sessionId) return this.sessionless(request, response, route, principal, message);

    const session = await this.findSession(sessionId, route, principal);
    if (!session)
      return sendRpcError(
        response,
        404,
        SESSION_NOT_FOUND,
        'Session not found; initialize a new session',
        'id' in message ? (message.id ?? null) : null,
      );
    const version = headerValue(request, HEADER_MCP_PROTOCOL_VERSION);
    if (version !== undefined && !isSupportedProtocolVersion(version)) {
      return sendRpcError(response, 400, INVALID_REQUEST, `Unsupported MCP-Protocol-Version: ${version}`);
    }

    if (isRequest(message)) return this.forward(request, response, route, session, message);
    // Accepted once written to the server: a large body counts in the budget until then.
    await this.dispatcher.deliver(session, message);
    sendEmpty(response, 202);
  }

  /** Opens the session's stream for server messages, or resumes a stream with Last-Event-ID. */
  async get(request: IncomingMessage, response: ServerResponse, route: ServiceRoute, principal: Principal): Promise<void> {
    const sessionId = headerValue(request, HEADER_MCP_SESSION_ID);
    if (!sessionId) {
      const version = headerValue(request, HEADER_MCP_PROTOCOL_VERSION);
      if (version && isStatelessProtocolVersion(version)) return sendEmpty(response, 405, { allow: 'POST' });
      return sendRpcError(response, 400, INVALID_REQUEST, 'Mcp-Session-Id header required; initialize first with a POST');
    }
    if (!acceptedReplies(request).sse) return sendRpcError(response, 406, INVALID_REQUEST, 'Accept must include text/event-stream');
    const session = await this.findSession(sessionId, route, principal);
    if (!session) return sendRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found; initialize a new session');
    const headers = { [HEADER_MCP_SESSION_ID]: session.id };

    const lastEventId = headerValue(request, HEADER_LAST_EVENT_ID);
    const replay = lastEventId ? session.log.after(lastEventId) : null;
    if (replay) {
      const stream = session.postStreams.get(replay.streamId);
      if (stream && !stream.isFinished) return stream.attach(response, headers, replay.events);
      if (!(session.standalone instanceof SseSink) || session.standalone.streamId !== replay.streamId) {
        // A finished POST stream: hand over what was missed, then close.
        const finished = new SseSink(replay.streamId, null, undefined);
        finished.attach(response, headers, replay.events);
        session.log.forget(replay.streamId);
        return finished.end();
      }
    }
    const standalone =
      session.standalone instanceof SseSink
        ? session.standalone
        : new SseSink(session.log.newStreamId(), session.log, undefined, this.heartbeat);
    session.standalone = standalone;
    standalone.attach(response, headers, replay?.events ?? []);
  }

  async delete(request: IncomingMessage, response: ServerResponse, route: ServiceRoute, principal: Principal): Promise<void> {
    const sessionId = headerValue(request, HEADER_MCP_SESSION_ID);
    if (!sessionId) return sendRpcError(response, 400, INVALID_REQUEST, 'Mcp-Session-Id header required');
    if (!(await withinRateLimit(this.rateLimiter, route, principal, null, response))) return;
    const session = await this.findSession(sessionId, route, principal);
    if (!session) return sendRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
    this.sessions.close(session);
    sendEmpty(response, 200);
  }

  private async initialize(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    principal: Principal,
    message: JsonRpcRequest,
  ): Promise<void> {
    let session: ClientSession;
    try {
      session = await this.dispatcher.open(route, principal, 'streamable-http', message);
    } catch (error) {
      return this.unavailable(response, error, message);
    }
    const sink = this.sinkFor(request, response, route, session, message, { [HEADER_MCP_SESSION_ID]: session.id });
    this.dispatcher.initialize(session, route, message, sink, headerValue(request, TRACEPARENT_HEADER));
  }

  private async forward(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    session: ClientSession,
    message: JsonRpcRequest,
  ): Promise<void> {
    try {
      await this.dispatcher.request(
        session,
        route,
        message,
        () => this.sinkFor(request, response, route, session, message, {}),
        headerValue(request, TRACEPARENT_HEADER),
      );
    } catch (error) {
      this.unavailable(response, error, message);
    }
  }

  /**
   * No session: a 2026-07-28 stateless request (checked against the spec's header rules), or a
   * plain one-shot call. Both run on a throw-away session; for the stateless form a closed stream
   * cancels the call.
   */
  private async sessionless(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    principal: Principal,
    message: JsonRpcMessage,
  ): Promise<void> {
    if (!isRequest(message) && !isNotification(message)) return sendEmpty(response, 202);
    const stateless = detectRequestEra(message, request.headers) === 'stateless';
    let version = PROTOCOL_VERSION_2025_03_26 as string;
    if (stateless) {
      const check = validateStatelessRequest({ headers: request.headers, message });
      if (!check.ok)
        return sendRpcError(
          response,
          check.httpStatus,
          check.error.error.code,
          check.error.error.message,
          'id' in message ? message.id : null,
        );
      version = check.protocolVersion;
    }
    if (!isRequest(message)) return sendEmpty(response, 202);
    if (childPerSession(route.process.isolation)) {
      return sendRpcError(
        response,
        400,
        INVALID_REQUEST,
        `Service "${route.name}" gives each client its own server: initialize a session first`,
        message.id,
      );
    }
    if (message.method === MCP_METHODS.SERVER_DISCOVER) return this.discover(response, route, message);

    const session = this.sessions.ephemeral(route.id, principal, version);
    session.limitTo(sessionScopeOf(principal));
    await this.forward(request, response, route, session, message);
    if (stateless) {
      response.once('close', () => {
        const entry = session.find(message.id);
        if (!entry) return;
        session.drop(entry);
        entry.cancel?.();
      });
    }
  }

  /** `server/discover` (2026-07-28): what the shared child offers, answered by the proxy. */
  private async discover(response: ServerResponse, route: ServiceRoute, message: JsonRpcRequest): Promise<void> {
    try {
      const upstream = await this.upstreams.sharedFor(route, 15_000);
      const identity = upstream.identity;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        result: {
          supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
          capabilities: identity?.capabilities ?? {},
          serverInfo: identity?.serverInfo,
          ...(identity?.instructions ? { instructions: identity.instructions } : {}),
          ttlMs: 0,
          cacheScope: 'private',
        },
      });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    } catch (error) {
      this.unavailable(response, error, message);
    }
  }

  private sinkFor(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    session: ClientSession,
    message: JsonRpcRequest,
    headers: Record<string, string>,
  ): MessageSink {
    if (replyMode(route.proxy.responseMode, acceptedReplies(request), message, session.clientCapabilities) === 'json')
      return new JsonReplySink(response, headers, message.id);
    const log = session.transport === 'stateless' ? null : session.log;
    const sink = new SseSink(session.log.newStreamId(), log, message.id, this.heartbeat);
    sink.attach(response, headers);
    if (session.transport !== 'stateless') {
      session.postStreams.set(sink.streamId, sink);
      response.once('finish', () => session.postStreams.delete(sink.streamId));
    }
    return sink;
  }

  /** A live session, or (shared services) one persisted before a restart or by another instance, re-created. */
  private async findSession(sessionId: string, route: ServiceRoute, principal: Principal): Promise<ClientSession | undefined> {
    const session = this.sessions.find(sessionId, principal.id);
    if (session) return session.serviceId === route.id ? session : undefined;
    if (childPerSession(route.process.isolation)) return undefined;
    return this.sessions.revive(sessionId, principal, route.id);
  }

  private unavailable(response: ServerResponse, error: unknown, message: JsonRpcRequest): void {
    if (!(error instanceof ServiceUnavailable)) throw error;
    if (response.headersSent) {
      response.end(`event: message\ndata: ${JSON.stringify(errorResponse(message.id, SERVER_UNAVAILABLE, error.message))}\n\n`);
      return;
    }
    sendRpcError(response, 503, SERVER_UNAVAILABLE, error.message, message.id, { 'retry-after': '5' });
  }
}

/**
 * JSON unless the client can only read SSE, or the service forces SSE, or (auto) the call may need the
 * stream: it asked for progress, or it is a tool call from a client that accepts sampling or elicitation
 * (the server's request must reach this very call, even before the client has opened its GET stream).
 */
export function replyMode(
  configured: ResponseMode,
  accepts: { json: boolean; sse: boolean },
  request: JsonRpcRequest,
  clientCapabilities: Record<string, unknown> = {},
): 'json' | 'sse' {
  if (!accepts.sse) return 'json';
  if (!accepts.json) return 'sse';
  if (configured !== 'auto') return configured;
  if (progressTokenOf(request) !== undefined) return 'sse';
  const mayAskClient = clientCapabilities['sampling'] !== undefined || clientCapabilities['elicitation'] !== undefined;
  return request.method === MCP_METHODS.TOOLS_CALL && mayAskClient ? 'sse' : 'json';
}
