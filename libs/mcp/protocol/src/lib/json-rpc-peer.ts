/**
 * One end of a JSON-RPC connection (a child's stdio, a WebSocket, an upstream session):
 * sends requests with ids of its own and settles them from the responses, and hands every
 * other message (notifications, requests from the far end, responses it did not ask for)
 * to its listeners. Pure: the transport is a `send` function and calls to `receive`.
 */
import {
  errorResponse,
  INTERNAL_ERROR,
  isErrorResponse,
  isResponse,
  JsonRpcError,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  parseMessage,
  REQUEST_TIMEOUT,
  SERVER_UNAVAILABLE,
} from './json-rpc';
import { encodedLength, encodeMessageParts, type MessageBytes, parseMessageBytes, type WireMessage } from './framed-message';

/** A request that ended in a JSON-RPC error (from the far end, a time-out or a closed connection). */
export class JsonRpcRequestError extends Error {
  constructor(readonly error: JsonRpcError) {
    super(error.message);
    this.name = 'JsonRpcRequestError';
  }
}

export interface PeerRequestOptions {
  /** Rejects with REQUEST_TIMEOUT after this many ms (0 or absent: no time-out). */
  timeoutMs?: number;
}

/** A request on its way. */
export interface SentRequest {
  /** The id this peer put on the wire: what a `notifications/cancelled` must name. */
  readonly id: JsonRpcId;
  /** The length of the text frame the response came in (set before it is handed over; absent for errors made here). */
  readonly receivedChars?: number;
}

export interface PendingRequest extends SentRequest {
  /** Settles with the whole response, so a caller can relay `error` untouched. */
  readonly response: Promise<JsonRpcResponse>;
}

/** A request's handle: a class, not an object literal with a getter, which V8 makes a slow dictionary object. */
class OutgoingRequest implements SentRequest {
  receivedChars?: number;

  constructor(readonly id: JsonRpcId) {}
}

class PromisedRequest extends OutgoingRequest implements PendingRequest {
  readonly response: Promise<JsonRpcResponse>;

  constructor(id: JsonRpcId, start: (sent: OutgoingRequest, settle: Settle) => void) {
    super(id);
    this.response = new Promise((settle) => start(this, settle));
  }
}

export interface JsonRpcPeerOptions {
  /** Writes one serialized message to the transport (a Buffer for a large message held as bytes); false when it is closed. */
  send: (message: WireMessage) => boolean;
  /** Why `send` refused a request, for its caller; null (or absent): the connection is closed. */
  unsent?: () => JsonRpcError | null;
  /** Ids this peer uses for its own requests; default 1, 2, 3… A prefix keeps them apart from relayed ids. */
  nextId?: () => JsonRpcId;
}

type Settle = (response: JsonRpcResponse) => void;

interface Waiter {
  settle: Settle;
  /** Given the received frame's length (for call statistics, without serializing the answer again). */
  sent: OutgoingRequest;
  timer?: ReturnType<typeof setTimeout>;
}

export class JsonRpcPeer {
  private readonly sendText: (message: WireMessage) => boolean;
  private readonly unsent: (() => JsonRpcError | null) | undefined;
  private readonly nextId: () => JsonRpcId;
  private readonly waiting = new Map<JsonRpcId, Waiter>();
  private readonly listeners = new Set<(message: JsonRpcMessage) => void>();
  private closedWith: JsonRpcError | null = null;

  constructor(options: JsonRpcPeerOptions) {
    this.sendText = options.send;
    this.unsent = options.unsent;
    let counter = 0;
    this.nextId = options.nextId ?? (() => ++counter);
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  /** Sends a request; the promise always settles (response, time-out or close), never hangs. */
  request(method: string, params?: JsonRpcParams, options: PeerRequestOptions = {}): PendingRequest {
    return new PromisedRequest(this.nextId(), (sent, settle) => this.track(sent, method, params, options, settle));
  }

  /**
   * `request` with the answer handed to `answer` (once: a response, a time-out or the close) instead of a
   * promise; an error made here comes in a microtask, as a promise's would. For the data plane: a promise
   * keeps the value it settled with, and one that waited through two young collections is in the old
   * generation, which only a full mark-compact clears, so a large answer's buffers stayed until one came
   * (1 MiB echoes: a full mark-compact of the whole heap every ~50 calls with the promise, none without).
   */
  requestAnswered(method: string, params: JsonRpcParams | undefined, options: PeerRequestOptions, answer: Settle): SentRequest {
    const sent = new OutgoingRequest(this.nextId());
    let started = false;
    this.track(sent, method, params, options, (response) => (started ? answer(response) : queueMicrotask(() => answer(response))));
    started = true;
    return sent;
  }

  /** Like `request`, resolving with the result and rejecting with a JsonRpcRequestError. */
  async call<T = unknown>(method: string, params?: JsonRpcParams, options?: PeerRequestOptions): Promise<T> {
    const response = await this.request(method, params, options).response;
    if (isErrorResponse(response)) throw new JsonRpcRequestError(response.error);
    return response.result as T;
  }

  notify(method: string, params?: JsonRpcParams): boolean {
    const message: JsonRpcNotification = params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    return this.write(message);
  }

  /** Sends any message as is (a relayed request with the client's id, or a response to the far end). */
  write(message: JsonRpcMessage): boolean {
    if (this.closedWith) return false;
    return this.sendText(encodeMessageParts(message));
  }

  /** Feeds one received text frame (a stdout line, a WebSocket frame). Unparseable frames are reported, not thrown. */
  receive(text: string): void {
    const parsed = parseMessage(text);
    if (!parsed.ok || parsed.kind === 'batch') {
      this.emit({ jsonrpc: '2.0', method: '$/invalid', params: { text: text.slice(0, 200) } });
      return;
    }
    this.receiveMessage(parsed.message, text.length);
  }

  /** Feeds one received frame as bytes: a large message is read by its envelope only (see framed-message). */
  receiveBytes(bytes: MessageBytes): void {
    const parsed = parseMessageBytes(bytes);
    const size = encodedLength(bytes);
    if (!parsed.ok || parsed.kind === 'batch') {
      const text = Buffer.concat(Buffer.isBuffer(bytes) ? [bytes] : bytes, Math.min(size, 200)).toString('utf8');
      this.emit({ jsonrpc: '2.0', method: '$/invalid', params: { text } });
      return;
    }
    this.receiveMessage(parsed.message, size);
  }

  /** `chars`: the length of the frame the message came in, when the transport had one. */
  receiveMessage(message: JsonRpcMessage, chars?: number): void {
    if (isResponse(message) && message.id !== undefined && message.id !== null) {
      const waiter = this.waiting.get(message.id);
      if (waiter) {
        this.waiting.delete(message.id);
        if (waiter.timer) clearTimeout(waiter.timer);
        if (chars !== undefined) waiter.sent.receivedChars = chars;
        waiter.settle(message);
        return;
      }
    }
    this.emit(message);
  }

  /** Every message that is not a response to one of this peer's own requests. */
  onMessage(listener: (message: JsonRpcMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles one pending request with an error now (a caller gave up or cancelled). */
  abandon(id: JsonRpcId, error: JsonRpcError): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (waiter.timer) clearTimeout(waiter.timer);
    waiter.settle(errorResponse(id, error.code, error.message, error.data));
  }

  /** The transport is gone: every pending request gets the error at once, later ones get it immediately. */
  close(error: JsonRpcError = { code: SERVER_UNAVAILABLE, message: 'Connection closed' }): void {
    if (this.closedWith) return;
    this.closedWith = error;
    const waiters = [...this.waiting.entries()];
    this.waiting.clear();
    for (const [id, waiter] of waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.settle(errorResponse(id, error.code, error.message, error.data));
    }
  }

  private track(
    sent: OutgoingRequest,
    method: string,
    params: JsonRpcParams | undefined,
    options: PeerRequestOptions,
    settle: Settle,
  ): void {
    const id = sent.id;
    if (this.closedWith) return settle(errorResponse(id, this.closedWith.code, this.closedWith.message, this.closedWith.data));
    const waiter: Waiter = { settle, sent };
    if (options.timeoutMs && options.timeoutMs > 0) waiter.timer = this.timeOut(id, method, options.timeoutMs);
    this.waiting.set(id, waiter);
    const message: JsonRpcRequest = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    let written: boolean;
    try {
      written = this.sendText(encodeMessageParts(message));
    } catch (error) {
      // The caller hears of it as the throw (a promise's rejection): nothing is left waiting.
      this.waiting.delete(id);
      if (waiter.timer) clearTimeout(waiter.timer);
      throw error;
    }
    if (!written) this.abandon(id, this.unsent?.() ?? { code: SERVER_UNAVAILABLE, message: 'Connection closed' });
  }

  /**
   * The request's timer, made out here: a closure made in `track` would keep its scope, the message
   * (a large one's bytes) included, alive until the answer came.
   */
  private timeOut(id: JsonRpcId, method: string, timeoutMs: number): ReturnType<typeof setTimeout> {
    return setTimeout(
      () => this.abandon(id, { code: REQUEST_TIMEOUT, message: `No response to ${method} within ${timeoutMs} ms` }),
      timeoutMs,
    );
  }

  private emit(message: JsonRpcMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        // A faulty listener must not break delivery to the others or the transport's read loop.
        if (message && 'id' in message && 'method' in message) {
          this.write(errorResponse(message.id, INTERNAL_ERROR, error instanceof Error ? error.message : 'Internal error'));
        }
      }
    }
  }
}
