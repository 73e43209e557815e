import { encodedLength, encodeMessageParts, type JsonRpcId, type JsonRpcMessage, type WireMessage } from '@mcp-proxy/mcp/protocol';
import type { ServerResponse } from 'node:http';
import type { EventLog } from '../sessions/event-log';
import type { MessageSink } from '../sessions/message-sink';
import type { StreamHeartbeat } from './stream-heartbeat';

export type HeaderMap = Record<string, string>;

function isAnswerTo(message: JsonRpcMessage, id: JsonRpcId): boolean {
  return 'id' in message && message.id === id && !('method' in message);
}

/** The plain JSON body of one POST: carries its request's answer and nothing else. */
export class JsonReplySink implements MessageSink {
  readonly streaming = false;
  private done = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly headers: HeaderMap,
    private readonly answersId: JsonRpcId,
  ) {
    response.once('close', () => (this.done = true));
  }

  get closed(): boolean {
    return this.done;
  }

  send(message: JsonRpcMessage): boolean {
    if (this.done || !isAnswerTo(message, this.answersId)) return false;
    this.done = true;
    const body = encodeMessageParts(message);
    this.response.writeHead(200, { ...this.headers, 'content-type': 'application/json', 'content-length': encodedLength(body) });
    if (typeof body === 'string') {
      this.response.end(body);
    } else {
      // The pieces of a message held as bytes leave in one writev, the bulk never copied.
      this.response.cork();
      for (const part of body) this.response.write(part);
      this.response.end();
    }
    return true;
  }
}

/**
 * An SSE stream: a POST's (ends after its answer) or a long-lived one (the GET stream, legacy SSE).
 * With an event log, events get ids and are kept while no connection is attached, for resumption.
 */
export class SseSink implements MessageSink {
  readonly streaming = true;
  private live: ServerResponse | null = null;
  private finished = false;
  private stopBeating: (() => void) | null = null;
  private readonly event = 'message';

  /** `heartbeat`: keeps the stream alive with a comment line while it is attached (none: no heartbeat). */
  constructor(
    readonly streamId: string,
    private readonly log: EventLog | null,
    private readonly endAfterAnswerTo?: JsonRpcId,
    private readonly heartbeat?: StreamHeartbeat,
  ) {}

  /** Starts (or, on resumption, continues) the stream on a response. */
  attach(response: ServerResponse, headers: HeaderMap, replay: { id: string; data: WireMessage }[] = []): void {
    this.detach();
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    this.live = response;
    for (const event of replay) writeEvent(response, `id: ${event.id}\nevent: ${this.event}\n`, event.data);
    this.stopBeating = this.heartbeat?.add(this) ?? null;
    response.once('close', () => {
      if (this.live === response) this.detach();
    });
  }

  get closed(): boolean {
    return this.finished || this.live === null;
  }

  beat(): void {
    this.live?.write(': keep-alive\n\n');
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Writes a raw SSE event that is not a JSON-RPC message (the legacy `endpoint` event). */
  writeEvent(event: string, data: string): void {
    this.live?.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  send(message: JsonRpcMessage): boolean {
    if (this.finished) return false;
    const data = encodeMessageParts(message);
    const id = this.log ? this.log.append(this.streamId, data) : null;
    const delivered = this.live !== null;
    if (this.live) writeEvent(this.live, `${id ? `id: ${id}\n` : ''}event: ${this.event}\n`, data);
    else if (!this.log) return false;
    if (this.endAfterAnswerTo !== undefined && isAnswerTo(message, this.endAfterAnswerTo)) {
      this.end();
      // The answer went out on a live connection: nothing of this stream is left to resume.
      if (delivered) this.log?.forget(this.streamId);
    }
    return true;
  }

  /** Ends the stream after telling the client when to reconnect (the proxy is restarting). */
  reconnect(retryMs: number): void {
    this.live?.write(`retry: ${retryMs}\n\n`);
    this.end();
  }

  end(): void {
    this.finished = true;
    const live = this.live;
    this.detach();
    live?.end();
  }

  private detach(): void {
    this.stopBeating?.();
    this.stopBeating = null;
    this.live = null;
  }
}

/** One SSE event; a message held as bytes is written as they are, between its prefix and the blank line, in one writev. */
function writeEvent(response: ServerResponse, head: string, data: WireMessage): void {
  if (typeof data === 'string') {
    response.write(`${head}data: ${data}\n\n`);
    return;
  }
  response.cork();
  response.write(`${head}data: `);
  for (const part of data) response.write(part);
  response.write('\n\n');
  response.uncork();
}
