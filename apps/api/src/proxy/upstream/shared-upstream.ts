import {
  errorResponse,
  INTERNAL_ERROR,
  isErrorResponse,
  isNotification,
  isRequest,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcPeer,
  JsonRpcRequest,
  JsonRpcResponse,
  LIST_CHANGED_NOTIFICATIONS,
  MCP_METHODS,
  notifiedProgressToken,
  progressTokenOf,
  withNotifiedProgressToken,
  withProgressToken,
  SentRequest,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ClientSession, InFlight } from '../sessions/client-session';
import { groupUri } from '../groups/resource-uris';
import { ResponseCache } from './response-cache';
import { HeldTools, heldToolRefusal, UpstreamToolPins, withoutHeldTools } from './tool-pin-guard';
import { initializeServer, type ServerIdentity, type Upstream } from './upstream';

const logger = new Logger('SharedUpstream');

interface Owner {
  session: ClientSession;
  entry: InFlight;
}

interface ServerRequestRoute {
  session: ClientSession;
  childId: JsonRpcId;
}

/** The service's caching settings, read at every request so a PATCH applies at once. */
export interface CacheSettings {
  lists: boolean;
  /** How long results of read-only tools are kept; 0 = not cached. */
  toolResultTtlMs: number;
}

export interface SharedUpstreamOptions {
  peer: JsonRpcPeer;
  /** The service, to tell its own sessions from those of groups it belongs to (which see group URIs). */
  serviceId: string;
  serviceName: string;
  /** The sessions of this service, for notifications that concern all of them. */
  sessions: () => Iterable<ClientSession>;
  cacheSettings: () => CacheSettings;
  clientInfo: { name: string; version: string };
  initializeTimeoutMs: number;
  /** Told of every list request the cache could answer (hit) or not (miss). */
  onCacheLookup?: (hit: boolean) => void;
  /** Tool pinning: sees every tools/list result from the server, and holds back unapproved tools under `block`. */
  toolPins?: UpstreamToolPins;
}

/**
 * One child shared by every client of a service. The proxy initializes it once; each client
 * request goes out under an id of the proxy's own (so ids from different clients never collide)
 * and its answer comes back under the client's id. Progress tokens are rewritten the same way.
 */
export class SharedUpstream implements Upstream {
  identity: ServerIdentity | null = null;
  readonly ready: Promise<ServerIdentity>;
  readonly cache = new ResponseCache();
  private readonly peer: JsonRpcPeer;
  private readonly byUpstreamId = new Map<JsonRpcId, Owner>();
  private readonly progress = new Map<string, Owner>();
  private readonly serverRequests = new Map<string, ServerRequestRoute>();
  private counter = 0;
  /** Makes this upstream's server-request ids unique among the members of a group session. */
  private readonly tag = randomBytes(3).toString('hex');

  constructor(private readonly options: SharedUpstreamOptions) {
    this.peer = options.peer;
    this.peer.onMessage((message) => this.fromChild(message));
    this.ready = this.initialize();
    // A failed initialize is reported to whoever awaits `ready`; keep it from being unhandled.
    this.ready.catch(() => undefined);
  }

  private async initialize(): Promise<ServerIdentity> {
    const identity = await initializeServer(this.peer, this.options.clientInfo, this.options.initializeTimeoutMs);
    this.identity = identity;
    if (identity.capabilities['tools']) {
      // A warm-up: the first tools/list asks the child itself when this fails.
      const priming = this.primeTools().catch((error: unknown) =>
        logger.warn(`Could not list the tools of ${this.options.serviceName}: ${messageOf(error)}`),
      );
      // Under the drift policy `block` nothing is served before the tools were compared with the pinned ones.
      if (this.options.toolPins?.blocking()) await priming;
    }
    return identity;
  }

  /** Lists the tools once up front: the first client's tools/list is then a cache hit, and read-only tools are known. */
  private async primeTools(): Promise<void> {
    const response = await this.peer.request(MCP_METHODS.TOOLS_LIST, {}, { timeoutMs: this.options.initializeTimeoutMs }).response;
    if (isErrorResponse(response)) return;
    this.cache.learnTools(response.result);
    this.options.toolPins?.observe(response.result, {});
    if (this.options.cacheSettings().lists) this.cache.set(this.cache.listKey(MCP_METHODS.TOOLS_LIST, {}), response.result);
  }

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    const held = this.options.toolPins?.held() ?? null;
    if (held && request.method === MCP_METHODS.TOOLS_CALL) {
      const refusal = heldToolRefusal(entry.clientId, request.params, held, this.options.serviceName);
      if (refusal) return session.finish(entry, refusal);
    }
    const { cacheKey, ttlMs } = this.cacheKeyFor(request, entry);
    if (cacheKey) {
      const cached = this.cache.get(cacheKey);
      this.options.onCacheLookup?.(cached !== undefined);
      if (cached !== undefined)
        return session.finish(entry, { jsonrpc: '2.0', id: entry.clientId, result: this.screened(request.method, cached, held) });
    }
    if (request.method === MCP_METHODS.RESOURCES_SUBSCRIBE) this.trackSubscription(session, request, true);
    if (request.method === MCP_METHODS.RESOURCES_UNSUBSCRIBE && this.trackSubscription(session, request, false)) {
      return session.finish(entry, { jsonrpc: '2.0', id: entry.clientId, result: {} });
    }

    let params = request.params;
    let upstreamToken: string | undefined;
    if (entry.progressToken !== undefined && params && !Array.isArray(params)) {
      upstreamToken = `p${++this.counter}`;
      params = withProgressToken(params, upstreamToken);
    }

    // What the answer needs of the request, so the request itself (a large one's bytes) is not held while the server works.
    const method = request.method;
    const listParams = method === MCP_METHODS.TOOLS_LIST ? request.params : undefined;
    const owner: Owner = { session, entry };
    let pending: SentRequest;

    const deliver = (response: JsonRpcResponse): void => {
      try {
        this.byUpstreamId.delete(pending.id);
        if (upstreamToken) this.progress.delete(upstreamToken);
        // A cancelled request is no longer in the session: its late answer is dropped.
        if (session.find(entry.clientId) !== entry) return;
        if (!isErrorResponse(response)) {
          const result = (response as { result: unknown }).result;
          if (method === MCP_METHODS.TOOLS_LIST) {
            this.cache.learnTools(result);
            this.options.toolPins?.observe(result, listParams);
            // Cached as the server sent it: an approval shows the tool again without waiting for the cache.
            (response as { result: unknown }).result = this.screened(method, result, this.options.toolPins?.held() ?? null);
          }
          if (cacheKey && !(result as { isError?: unknown }).isError) this.cache.set(cacheKey, result, ttlMs);
        }
        response.id = entry.clientId;
        entry.responseChars = pending.receivedChars;
        session.finish(entry, response);
      } catch (error) {
        // Delivering runs the session's transforms, observers and the client's sink; a throw there is logged
        // here, never thrown into the read loop of the server's output.
        logger.error(`Could not deliver the answer to ${method} from ${this.options.serviceName}: ${messageOf(error)}`);
      }
    };
    try {
      // Handed over, not through a promise: see requestAnswered.
      pending = this.peer.requestAnswered(method, params, { timeoutMs }, deliver);
    } catch (error) {
      // The transport's send threw: the client gets what a closed connection gives.
      logger.warn(`Could not send ${method} to ${this.options.serviceName}: ${messageOf(error)}`);
      if (upstreamToken) this.progress.delete(upstreamToken);
      return session.finish(entry, errorResponse(entry.clientId, SERVER_UNAVAILABLE, 'Connection closed'));
    }
    entry.upstreamId = pending.id;
    this.byUpstreamId.set(pending.id, owner);
    if (upstreamToken) this.progress.set(upstreamToken, owner);
    entry.cancel = () => {
      this.peer.notify(MCP_METHODS.CANCELLED, { requestId: pending.id, reason: 'Cancelled by the client' });
      this.peer.abandon(pending.id, { code: INTERNAL_ERROR, message: 'cancelled' });
    };
  }

  /**
   * A request of the proxy's own (a group listing its members' tools): through the list cache like a
   * client's, never attached to a session. A `tools/list` comes as the server listed it (see heldTools).
   */
  async fetch(method: string, params: JsonRpcRequest['params'], timeoutMs: number): Promise<JsonRpcResponse> {
    const cacheKey = ResponseCache.isListMethod(method) && this.options.cacheSettings().lists ? this.cache.listKey(method, params) : null;
    if (cacheKey) {
      const cached = this.cache.get(cacheKey);
      this.options.onCacheLookup?.(cached !== undefined);
      if (cached !== undefined) return { jsonrpc: '2.0', id: 0, result: cached };
    }
    const response = await this.peer.request(method, params, { timeoutMs }).response;
    if (!isErrorResponse(response)) {
      if (method === MCP_METHODS.TOOLS_LIST) {
        this.cache.learnTools(response.result);
        this.options.toolPins?.observe(response.result, params);
      }
      if (cacheKey) this.cache.set(cacheKey, response.result);
    }
    return response;
  }

  /** Tools this service holds back now (tool pinning under `block`): a group leaves them out of its lists. */
  heldTools(): HeldTools | null {
    return this.options.toolPins?.held() ?? null;
  }

  /** A list result as a client may see it: a `tools/list` without the tools tool pinning holds back. */
  private screened(method: string, result: unknown, held: HeldTools | null): unknown {
    return method === MCP_METHODS.TOOLS_LIST ? withoutHeldTools(result, held) : result;
  }

  /** Lists are cached per service setting; a read-only tool's result only when the service opts in and no progress is wanted. */
  private cacheKeyFor(request: JsonRpcRequest, entry: InFlight): { cacheKey: string | null; ttlMs?: number } {
    const settings = this.options.cacheSettings();
    if (ResponseCache.isListMethod(request.method))
      return { cacheKey: settings.lists ? this.cache.listKey(request.method, request.params) : null };
    if (request.method === MCP_METHODS.TOOLS_CALL && settings.toolResultTtlMs > 0 && entry.progressToken === undefined) {
      return { cacheKey: this.cache.toolKey(request.params), ttlMs: settings.toolResultTtlMs };
    }
    return { cacheKey: null };
  }

  notify(session: ClientSession, notification: JsonRpcNotification): boolean {
    switch (notification.method) {
      case MCP_METHODS.INITIALIZED:
        return false; // the proxy initialized the child itself
      case MCP_METHODS.CANCELLED: {
        const requestId = (notification.params as { requestId?: JsonRpcId } | undefined)?.requestId;
        const entry = requestId === undefined ? undefined : session.find(requestId);
        if (!entry) return false;
        session.drop(entry);
        entry.cancel?.();
        return false;
      }
      default:
        return this.peer.write(notification);
    }
  }

  answer(session: ClientSession, response: JsonRpcResponse): boolean {
    const key = String(response.id);
    const route = this.serverRequests.get(key);
    if (!route || route.session !== session) return false;
    this.serverRequests.delete(key);
    return this.peer.write({ ...response, id: route.childId });
  }

  release(session: ClientSession): void {
    for (const entry of session.pending()) {
      session.drop(entry);
      entry.cancel?.();
    }
    for (const [key, route] of this.serverRequests) {
      if (route.session !== session) continue;
      this.serverRequests.delete(key);
      this.peer.write(errorResponse(route.childId, INTERNAL_ERROR, 'The client session ended'));
    }
  }

  private fromChild(message: JsonRpcMessage): void {
    if (isRequest(message)) return this.serverRequest(message);
    if (!isNotification(message)) return; // a response nobody waits for (already timed out or cancelled)
    const method = message.method;
    if (method === MCP_METHODS.PROGRESS) return this.progressFromChild(message);
    if (LIST_CHANGED_NOTIFICATIONS.includes(method)) {
      this.cache.invalidate(method);
      return this.broadcast(message);
    }
    if (method === MCP_METHODS.RESOURCES_UPDATED) {
      const uri = (message.params as { uri?: string } | undefined)?.uri;
      if (!uri) return;
      for (const session of this.options.sessions()) {
        const clientUri = this.clientUri(session, uri);
        if (session.subscriptions.has(clientUri)) session.sendUnrelated({ ...message, params: { ...message.params, uri: clientUri } });
      }
      return;
    }
    if (method === MCP_METHODS.LOG_MESSAGE) {
      // Over stdio a log line carries no link to its request; with a single caller it is that caller's.
      const owner = this.ownerOf(message);
      return owner ? void owner.session.sendRelated(owner.entry, message) : this.broadcast(message);
    }
    if (method === MCP_METHODS.CANCELLED) {
      const childId = (message.params as { requestId?: JsonRpcId } | undefined)?.requestId;
      for (const [key, route] of this.serverRequests) {
        if (route.childId !== childId) continue;
        this.serverRequests.delete(key);
        route.session.sendUnrelated({ ...message, params: { ...message.params, requestId: key } });
      }
      return;
    }
    this.broadcast(message);
  }

  private progressFromChild(message: JsonRpcNotification): void {
    const token = notifiedProgressToken(message);
    const owner = token === undefined ? undefined : this.progress.get(String(token));
    if (!owner || owner.entry.progressToken === undefined) return;
    owner.session.sendRelated(owner.entry, { ...message, params: withNotifiedProgressToken(message.params, owner.entry.progressToken) });
  }

  /**
   * A request from the server to a client (sampling, elicitation, roots). Over stdio it carries no
   * link to the call that caused it, so it goes to the only client with calls in flight; when
   * several have, nobody can know, and the server gets an error rather than a wrong answer.
   */
  private serverRequest(request: JsonRpcRequest): void {
    if (request.method === MCP_METHODS.PING) {
      this.peer.write({ jsonrpc: '2.0', id: request.id, result: {} });
      return;
    }
    const owner = this.ownerOf(request);
    if (request.method === MCP_METHODS.ROOTS_LIST && !owner?.session.clientCapabilities['roots']) {
      // The proxy declared roots when it initialized the server itself. Servers ask right after initialize,
      // when no client is behind the request, or while a client that has no roots happens to be calling:
      // the proxy's own answer then is that it shares no roots (rather than an error the server logs).
      this.peer.write({ jsonrpc: '2.0', id: request.id, result: { roots: [] } });
      return;
    }
    if (!owner) {
      this.peer.write(
        errorResponse(
          request.id,
          INTERNAL_ERROR,
          `The proxy cannot tell which client ${request.method} is meant for (no single client has a request in flight)`,
        ),
      );
      return;
    }
    const sessionFacingId = `srv-${this.tag}-${++this.counter}`;
    this.serverRequests.set(sessionFacingId, { session: owner.session, childId: request.id });
    if (!owner.session.sendRelated(owner.entry, { ...request, id: sessionFacingId })) {
      this.serverRequests.delete(sessionFacingId);
      this.peer.write(errorResponse(request.id, INTERNAL_ERROR, `The client has no open stream for ${request.method}`));
    }
  }

  private ownerOf(request: JsonRpcRequest | JsonRpcNotification): { session: ClientSession; entry: InFlight | undefined } | null {
    const token = progressTokenOf(request);
    const byToken = token === undefined ? undefined : this.progress.get(String(token));
    if (byToken) return byToken;
    // Only callers that could still receive the request count: a client that went away, leaving a call
    // behind, must not make every later request ambiguous. Among several, tool calls are the ones that
    // ask for sampling or elicitation.
    const reachable = [...this.byUpstreamId.values()].filter(
      ({ session, entry }) =>
        !session.closed && ((entry.sink?.streaming && !entry.sink.closed) || (session.standalone !== null && !session.standalone.closed)),
    );
    return soleOwner(reachable) ?? soleOwner(reachable.filter(({ entry }) => entry.method === MCP_METHODS.TOOLS_CALL));
  }

  /** Returns true when an unsubscribe can be answered here because other sessions still want the updates. */
  private trackSubscription(session: ClientSession, request: JsonRpcRequest, subscribe: boolean): boolean {
    const uri = (request.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string') return false;
    if (subscribe) {
      session.subscriptions.add(this.clientUri(session, uri));
      return false;
    }
    session.subscriptions.delete(this.clientUri(session, uri));
    for (const other of this.options.sessions()) if (other.subscriptions.has(this.clientUri(other, uri))) return true;
    return false;
  }

  /** A resource URI as a session knows it: its own for the service's sessions, the group's form for a group's. */
  private clientUri(session: ClientSession, uri: string): string {
    return session.serviceId === this.options.serviceId ? uri : groupUri(this.options.serviceName, uri);
  }

  private broadcast(message: JsonRpcMessage): void {
    for (const session of this.options.sessions()) session.sendUnrelated(message);
  }

  /** For tests and metrics. */
  get inflight(): number {
    return this.byUpstreamId.size;
  }
}

/** The one session behind these calls (with the call itself when there is exactly one), or null. */
function soleOwner(owners: Owner[]): { session: ClientSession; entry: InFlight | undefined } | null {
  if (owners.length === 0 || owners.some((owner) => owner.session !== owners[0].session)) return null;
  return { session: owners[0].session, entry: owners.length === 1 ? owners[0].entry : undefined };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
