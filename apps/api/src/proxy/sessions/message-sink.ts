import type { JsonRpcId, JsonRpcMessage, WireMessage } from '@mcp-proxy/mcp/protocol';
import type { ServerResponse } from 'node:http';

/**
 * Somewhere a message for a client can go: the JSON body of a POST, an SSE stream (a POST's or
 * the session's GET stream), a legacy SSE stream, a WebSocket.
 */
export interface MessageSink {
  /** False when this sink cannot carry the message (closed, or a JSON reply offered a notification). */
  send(message: JsonRpcMessage): boolean;
  /** Streams can carry notifications and server requests; a JSON reply carries only its response. */
  readonly streaming: boolean;
  readonly closed: boolean;
  /** Graceful shutdown: ends the stream in a way that makes the client reconnect (SSE `retry:`, WebSocket 1012). */
  reconnect?(retryMs: number): void;
}

/** An SSE stream that a client can pick up again with `Last-Event-ID` on a new GET. */
export interface ResumableSink extends MessageSink {
  readonly isFinished: boolean;
  attach(response: ServerResponse, headers: Record<string, string>, replay?: { id: string; data: WireMessage }[]): void;
}

/** The sink of one request that calls `onAnswer` when the request's answer passes through it (to the client or not). */
export class AnswerListeningSink implements MessageSink {
  constructor(
    private readonly sink: MessageSink,
    private readonly id: JsonRpcId,
    private readonly onAnswer: () => void,
  ) {}

  get streaming(): boolean {
    return this.sink.streaming;
  }

  get closed(): boolean {
    return this.sink.closed;
  }

  send(message: JsonRpcMessage): boolean {
    if (!('method' in message) && 'id' in message && message.id === this.id) this.onAnswer();
    return this.sink.send(message);
  }
}
