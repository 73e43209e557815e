import { Injectable } from '@nestjs/common';
import {
  isRequest,
  JsonRpcRequest,
  MCP_METHODS,
  onceWritten,
  PROTOCOL_VERSION_2024_11_05,
  SERVER_UNAVAILABLE,
  SESSION_NOT_FOUND,
} from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../core/auth/principal';
import { TRACEPARENT_HEADER } from '../../core/tracing/trace-slot';
import { headerValue, sendEmpty, sendRpcError } from '../../core/http/http-io';
import { readRpcMessage, withinRateLimit } from '../http/incoming-rpc';
import { BodyBudget } from '../../core/http/body-budget';
import { SseSink } from '../http/reply-sinks';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { RateLimiter } from '../limits/rate-limiter';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession } from '../sessions/client-session';
import { AnswerListeningSink, type MessageSink } from '../sessions/message-sink';
import { SessionStore } from '../sessions/session-store';
import { ServiceUnavailable } from '../upstream/upstream-registry';

/**
 * Legacy HTTP+SSE (MCP 2024-11-05): `GET …/sse` opens the session's stream and names the POST
 * endpoint in an `endpoint` event; every answer travels on that stream. The stream's end ends the session.
 */
@Injectable()
export class LegacySseTransport {
  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly sessions: SessionStore,
    private readonly rateLimiter: RateLimiter,
    private readonly heartbeat: StreamHeartbeat,
    private readonly bodyBudget: BodyBudget,
  ) {}

  /** `base` is the prefix the client used (`/mcp/<service>` or `/mcp/g/<group>`): the endpoint event names its messages URL. */
  open(response: ServerResponse, route: ServiceRoute, principal: Principal, base: string): void {
    // Opened at once; a session-isolated child is spawned on the client's `initialize`.
    const session = this.dispatcher.createSession(route, principal, 'legacy-sse', PROTOCOL_VERSION_2024_11_05);
    const stream = new SseSink(session.log.newStreamId(), null, undefined, this.heartbeat);
    session.standalone = stream;
    stream.attach(response, {});
    stream.writeEvent('endpoint', `${base}/messages?sessionId=${session.id}`);
    response.once('close', () => this.sessions.close(session));
  }

  async message(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    principal: Principal,
    sessionId: string | null,
  ): Promise<void> {
    const session = sessionId ? this.sessions.find(sessionId, principal.id) : undefined;
    if (!session || session.serviceId !== route.id)
      return sendRpcError(response, 404, SESSION_NOT_FOUND, 'Unknown sessionId; open a new stream at …/sse');
    const message = await readRpcMessage(request, response, this.bodyBudget);
    if (!message || !(await withinRateLimit(this.rateLimiter, route, principal, message, response))) return;
    if (!isRequest(message)) {
      await this.dispatcher.deliver(session, message);
      return sendEmpty(response, 202);
    }
    const { sink, answeredOrWritten } = watchHandOn(message, session.standalone as SseSink, response);
    try {
      await this.handleRequest(session, route, message, sink, headerValue(request, TRACEPARENT_HEADER));
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      return sendRpcError(response, 503, SERVER_UNAVAILABLE, error.message, message.id, { 'retry-after': '5' });
    }
    // The answer travels on the stream, but a large body holds its part of the body budget until this
    // exchange ends: it ends once the body is written to the server (or answered), as a Streamable HTTP
    // POST's ends with its answer, so a client's next large bodies wait for room instead of piling up.
    await answeredOrWritten;
    sendEmpty(response, 202);
  }

  private async handleRequest(
    session: ClientSession,
    route: ServiceRoute,
    message: JsonRpcRequest,
    stream: MessageSink,
    traceparent: string | undefined,
  ): Promise<void> {
    if (message.method === MCP_METHODS.INITIALIZE) {
      await this.dispatcher.prepare(route, session, message);
      return this.dispatcher.initialize(session, route, message, stream, traceparent);
    }
    await this.dispatcher.request(session, route, message, () => stream, traceparent);
  }
}

/**
 * Where a request's answer goes (the session's stream, watched for the answer), and when the request was
 * handed on: its bytes written to the server, its answer sent, or the client gone. At once for a request
 * held as text (a small one): only large bodies are held as bytes.
 */
function watchHandOn(
  message: JsonRpcRequest,
  stream: MessageSink,
  response: ServerResponse,
): { sink: MessageSink; answeredOrWritten: Promise<void> } {
  let done!: () => void;
  const answeredOrWritten = new Promise<void>((resolve) => (done = resolve));
  if (!onceWritten(message, done)) {
    done();
    return { sink: stream, answeredOrWritten };
  }
  response.once('close', done);
  return { sink: new AnswerListeningSink(stream, message.id, done), answeredOrWritten };
}
