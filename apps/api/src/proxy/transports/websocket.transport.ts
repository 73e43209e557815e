import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  errorResponse,
  INVALID_REQUEST,
  isNotification,
  isRequest,
  JsonRpcId,
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
import type { MessageSink } from '../sessions/message-sink';
import { SessionStore } from '../sessions/session-store';
import { ServiceUnavailable } from '../upstream/upstream-registry';
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';
import { BodyBudget, ReturnBytes } from '../../core/http/body-budget';
import { LARGE_BODY_BYTES } from '../http/incoming-rpc';

/** Bytes of frames waiting for dispatch on one connection before its socket is paused. */
const QUEUED_FRAME_BYTES = LARGE_BODY_BYTES;

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
    // Frames are handled in order, each after the previous one was dispatched. Once a megabyte of them
    // waits (one large frame does), the socket is paused: a client sending faster than that fills its own
    // TCP window, not memory.
    let queue = Promise.resolve();
    let queuedBytes = 0;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : asBuffer(data);
      const bytes = text?.length ?? 0;
      queuedBytes += bytes;
      if (queuedBytes >= QUEUED_FRAME_BYTES) ws.pause();
      queue = queue
        .then(async () => {
          const giveBack = bytes >= LARGE_BODY_BYTES ? await this.reserve(ws, bytes) : undefined;
          let held = false;
          try {
            held = await this.receive(session, route, principal, sink, text, giveBack);
          } finally {
            if (!held) giveBack?.();
            queuedBytes -= bytes;
            if (ws.isPaused && queuedBytes < QUEUED_FRAME_BYTES) ws.resume();
          }
        })
        .catch((error: unknown) => this.logger.warn(`WebSocket frame of ${route.name} not handled: ${String(error)}`));
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

  /** True when a request went on holding `giveBack`'s bytes (until it is written to its server or answered). */
  private async receive(
    session: ClientSession,
    route: ServiceRoute,
    principal: Principal,
    sink: WebSocketSink,
    text: Buffer | null,
    giveBack?: ReturnBytes,
  ): Promise<boolean> {
    if (session.closed) return false;
    if (text === null) {
      sink.send(errorResponse(null, INVALID_REQUEST, 'Binary frames are not JSON-RPC; send text frames'));
      return false;
    }
    const parsed = parseMessageBytes(text);
    if (!parsed.ok) {
      sink.send(errorResponse(parsed.id, parsed.error.code, parsed.error.message));
      return false;
    }
    if (parsed.kind === 'batch') {
      sink.send(errorResponse(null, INVALID_REQUEST, 'JSON-RPC batches are not supported'));
      return false;
    }
    const message = parsed.message;
    const refusal = await takeBudgets(this.rateLimiter, route, principal, message);
    if (refusal) {
      if (isRequest(message)) sink.send(errorResponse(message.id, RATE_LIMITED, refusalMessage(refusal), refusal));
      return false;
    }
    if (!isRequest(message)) {
      // Handed to the upstream as they are: their bytes are given back now.
      if (isNotification(message)) this.dispatcher.notification(session, message);
      else this.dispatcher.response(session, message);
      return false;
    }
    const answers = giveBack ? answerGivesBack(sink, message.id, giveBack) : sink;
    if (giveBack) onceWritten(message, giveBack);
    try {
      await this.request(session, route, message, answers);
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      answers.send(errorResponse(message.id, SERVER_UNAVAILABLE, error.message));
    }
    return true;
  }

  private async request(session: ClientSession, route: ServiceRoute, message: JsonRpcRequest, sink: MessageSink): Promise<void> {
    if (message.method === MCP_METHODS.INITIALIZE) {
      await this.dispatcher.prepare(route, session, message);
      return this.dispatcher.initialize(session, route, message, sink);
    }
    await this.dispatcher.request(session, route, message, () => sink);
  }
}

/** The connection's sink for one large request: its answer gives the request's bytes back, if nothing wrote them on first. */
function answerGivesBack(sink: MessageSink, id: JsonRpcId, giveBack: ReturnBytes): MessageSink {
  return {
    streaming: sink.streaming,
    get closed() {
      return sink.closed;
    },
    send(message: JsonRpcMessage): boolean {
      if (!('method' in message) && 'id' in message && message.id === id) giveBack();
      return sink.send(message);
    },
  };
}

/** A text frame's payload as one Buffer (ws hands over a Buffer, fragments or an ArrayBuffer by its binaryType). */
function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
