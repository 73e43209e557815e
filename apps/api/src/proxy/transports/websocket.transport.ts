import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  errorResponse,
  INVALID_REQUEST,
  isRequest,
  JsonRpcMessage,
  JsonRpcRequest,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  encodeMessage,
  onceWritten,
  parseMessageBytes,
  RATE_LIMITED,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../../core/auth/principal';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { RateLimiter } from '../limits/rate-limiter';
import { refusalMessage, takeBudgets } from '../limits/rate-policy';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession } from '../sessions/client-session';
import { AnswerListeningSink, type MessageSink } from '../sessions/message-sink';
import { SessionStore } from '../sessions/session-store';
import { ServiceUnavailable } from '../upstream/upstream-registry';
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';
import { BodyBudget, ReturnBytes } from '../../core/http/body-budget';
import { LARGE_BODY_BYTES } from '../http/incoming-rpc';

/** Bytes of frames waiting for dispatch on one connection before its socket is paused. */
const QUEUED_FRAME_BYTES = LARGE_BODY_BYTES;

/** One MCP WebSocket and what its frames need. */
interface Connection {
  ws: WebSocket;
  session: ClientSession;
  route: ServiceRoute;
  principal: Principal;
  sink: WebSocketSink;
  /** Bytes of frames received and not yet dispatched. */
  queuedBytes: number;
}

/** One WebSocket: every message for the client is a text frame. */
class WebSocketSink implements MessageSink {
  readonly streaming = true;
  /** Pings sent since the peer last answered (a pong or any frame). */
  private unanswered = 0;

  constructor(private readonly socket: WebSocket) {
    const alive = () => (this.unanswered = 0);
    socket.on('pong', alive);
    socket.on('message', alive);
  }

  /** A ping each heartbeat; a peer that answered none of the last two is gone (or stuck) and is cut off. */
  beat(): void {
    if (this.unanswered >= 2) return void this.socket.terminate();
    this.unanswered++;
    this.socket.ping();
  }

  get closed(): boolean {
    return this.socket.readyState !== WebSocket.OPEN;
  }

  send(message: JsonRpcMessage): boolean {
    if (this.closed) return false;
    // A text frame even when the message is held as bytes (a large relayed answer).
    this.socket.send(encodeMessage(message), { binary: false });
    return true;
  }

  /** 1012 "service restart": the client may reconnect in a moment. */
  reconnect(): void {
    this.socket.close(1012, 'Proxy restarting; reconnect');
  }
}

/**
 * MCP over WebSocket (`/mcp/ws?service=…`, subprotocol `mcp`, one JSON-RPC message per text
 * frame). The connection is the session; auth and Origin were checked before the upgrade.
 */
@Injectable()
export class WebSocketTransport implements OnModuleDestroy {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('mcp') ? 'mcp' : false),
  });

  private readonly logger = new Logger(WebSocketTransport.name);

  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly sessions: SessionStore,
    private readonly rateLimiter: RateLimiter,
    private readonly heartbeat: StreamHeartbeat,
    private readonly bodyBudget: BodyBudget,
  ) {}

  /** `opened` is told the connection once it is a WebSocket (the handler watches its credential from then on). */
  upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: ServiceRoute,
    principal: Principal,
    opened: (ws: WebSocket) => void,
  ): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.connect(ws, route, principal);
      opened(ws);
    });
  }

  onModuleDestroy(): void {
    for (const client of this.server.clients) client.close(1001, 'Server shutting down');
    this.server.close();
  }

  private connect(ws: WebSocket, route: ServiceRoute, principal: Principal): void {
    const session = this.dispatcher.createSession(route, principal, 'websocket', LATEST_INITIALIZE_PROTOCOL_VERSION);
    const sink = new WebSocketSink(ws);
    session.standalone = sink;
    const stopBeating = this.heartbeat.add(sink);
    const connection: Connection = { ws, session, route, principal, sink, queuedBytes: 0 };
    // Frames are handled in order, each after the previous one was dispatched. Once a megabyte of them
    // waits (one large frame does), the socket is paused: a client sending faster than that fills its own
    // TCP window, not memory.
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : asBuffer(data);
      connection.queuedBytes += text?.length ?? 0;
      if (connection.queuedBytes >= QUEUED_FRAME_BYTES) ws.pause();
      queue = queue.then(() => this.receive(connection, text));
    });
    ws.on('close', () => {
      stopBeating();
      this.sessions.close(session);
    });
    ws.on('error', () => ws.terminate());
  }

  /**
   * A large frame is in memory already; it counts in the proxy's large-body budget until written on
   * (or answered), while the paused socket keeps later frames in the kernel. Given back at the latest
   * when the connection closes.
   */
  private async reserve(ws: WebSocket, bytes: number): Promise<ReturnBytes> {
    const returnBytes = await this.bodyBudget.reserve(bytes);
    const giveBack = (): void => {
      ws.off('close', giveBack);
      returnBytes();
    };
    ws.once('close', giveBack);
    return giveBack;
  }

  /** One frame; never throws: a frame that fails is logged and the ones after it go on. */
  private async receive(connection: Connection, text: Buffer | null): Promise<void> {
    const { ws, session, route, principal, sink } = connection;
    const bytes = text?.length ?? 0;
    const giveBack = bytes >= LARGE_BODY_BYTES ? await this.reserve(ws, bytes) : undefined;
    // A request forwarded with a large body holds its bytes until written to its server or answered.
    let held = false;
    try {
      if (session.closed) return;
      if (text === null) return void sink.send(errorResponse(null, INVALID_REQUEST, 'Binary frames are not JSON-RPC; send text frames'));
      const parsed = parseMessageBytes(text);
      if (!parsed.ok) return void sink.send(errorResponse(parsed.id, parsed.error.code, parsed.error.message));
      if (parsed.kind === 'batch') return void sink.send(errorResponse(null, INVALID_REQUEST, 'JSON-RPC batches are not supported'));
      const message = parsed.message;
      const refusal = await takeBudgets(this.rateLimiter, route, principal, message);
      if (refusal) {
        if (isRequest(message)) sink.send(errorResponse(message.id, RATE_LIMITED, refusalMessage(refusal), refusal));
        return;
      }
      // A notification or answer has no answer of its own: its bytes count until written to the server.
      if (!isRequest(message)) return await this.dispatcher.deliver(session, message);
      // Its answer gives the request's bytes back, if nothing wrote them on first.
      const answers = giveBack ? new AnswerListeningSink(sink, message.id, giveBack) : sink;
      if (giveBack) onceWritten(message, giveBack);
      try {
        await this.request(session, route, message, answers);
      } catch (error) {
        if (!(error instanceof ServiceUnavailable)) throw error;
        answers.send(errorResponse(message.id, SERVER_UNAVAILABLE, error.message));
      }
      held = true;
    } catch (error) {
      this.logger.warn(`WebSocket frame of ${route.name} not handled: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (!held) giveBack?.();
      connection.queuedBytes -= bytes;
      if (ws.isPaused && connection.queuedBytes < QUEUED_FRAME_BYTES) ws.resume();
    }
  }

  private async request(session: ClientSession, route: ServiceRoute, message: JsonRpcRequest, sink: MessageSink): Promise<void> {
    if (message.method === MCP_METHODS.INITIALIZE) {
      await this.dispatcher.prepare(route, session, message);
      return this.dispatcher.initialize(session, route, message, sink);
    }
    await this.dispatcher.request(session, route, message, () => sink);
  }
}

/** A text frame's payload as one Buffer (ws hands over a Buffer, fragments or an ArrayBuffer by its binaryType). */
function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
