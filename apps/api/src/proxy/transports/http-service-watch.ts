/**
 * The call history and tool pinning for reverse-proxied `http` services. A POST is read whole (bounded, as on every
 * other transport) and parsed by its envelope; a call to a tool held back under the drift policy `block` is refused
 * here, anything else is sent on as the bytes it came in. The child's answer streams through untouched, read on
 * its way up to the message that answers the request (for the row: outcome, size); only a `tools/list` answer is
 * held and parsed whole, to compare it with the pins and leave out held tools. With the call history off and the
 * drift policy `off`, nothing is read: the plain pass-through.
 */
import {
  errorResponse,
  HEADER_MCP_SESSION_ID,
  MCP_METHODS,
  parseMessageBytes,
  SERVER_UNAVAILABLE,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
} from '@mcp-proxy/mcp/protocol';
import type { DriftPolicy } from '@mcp-proxy/shared/dto';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Principal } from '../../core/auth/principal';
import { headerValue, readMessageBody, sendJson } from '../../core/http/http-io';
import type { CallRecorder } from '../metrics/call-record';
import type { ServiceRoute } from '../routing/route-table';
import { heldToolRefusal, toolPinsFor, type ToolPinGuard, type UpstreamToolPins } from '../upstream/tool-pin-guard';
import { HttpServiceExchange, MAX_SCREENED_JSON_BYTES, sseScreen, sseWatcher } from './http-service-exchange';
import { listChildTools } from './http-service-tools';

/** The child a request goes to: one run of the service's server (a restart makes a new one), and its MCP endpoint. */
export interface ChildTarget {
  run: object;
  endpoint: string;
}

/** Client sessions whose `clientInfo` is remembered at most (the oldest is forgotten first). */
const MAX_REMEMBERED_CLIENTS = 10_000;

const policyOf = (route: ServiceRoute): DriftPolicy => route.proxy.driftPolicy ?? 'warn';

export class HttpServiceWatch {
  private readonly exchanges = new WeakMap<IncomingMessage, HttpServiceExchange>();
  /** An `initialize` on its way: its clientInfo, kept under the session id the child answers with. */
  private readonly initializing = new WeakMap<IncomingMessage, { route: ServiceRoute; info: Record<string, unknown> }>();
  /** `clientInfo` by service and the child's session id, for the rows of that session's calls. */
  private readonly clients = new Map<string, Record<string, unknown>>();
  /** Children whose tools were listed since they started (by a client, or by us before a call under `block`). */
  private readonly compared = new WeakSet<object>();
  private readonly comparing = new WeakMap<object, Promise<boolean>>();

  constructor(
    private readonly recorder: CallRecorder | null,
    private readonly guard: ToolPinGuard | null,
  ) {}

  /** Whether a POST to this service is read at all. */
  watches(route: ServiceRoute): boolean {
    return (this.recorder?.enabled ?? false) || this.pinsOf(route) !== null;
  }

  /** A request sent on unread; a DELETE ends a session whose clientInfo is then forgotten. */
  passing(request: IncomingMessage, route: ServiceRoute): void {
    const sessionId = headerValue(request, HEADER_MCP_SESSION_ID);
    if (request.method === 'DELETE' && sessionId) this.clients.delete(sessionKey(route, sessionId));
  }

  /**
   * Reads the POSTed message: null once it has been answered here (413, or a held tool's refusal), else the
   * body to send on.
   */
  async inspect(
    request: IncomingMessage,
    response: ServerResponse,
    route: ServiceRoute,
    principal: Principal,
    child: ChildTarget,
  ): Promise<Readable | null> {
    const body = await readMessageBody(request, response);
    if (!body) return null;
    const parsed = parseMessageBytes(body);
    const pins = this.pinsOf(route);
    if (parsed.ok && parsed.kind === 'batch') {
      // Batches (MCP before 2025-06-18) are not recorded, but a held tool is not reached through one either.
      const requests = parsed.items.flatMap((item) => (item.ok && item.kind === 'request' ? [item.message] : []));
      const refusal = requests.map((message) => this.refusalOf(message, pins, route)).find((found) => found !== null);
      if (refusal) {
        sendJson(response, 200, [refusal]);
        return null;
      }
    }
    if (!parsed.ok || parsed.kind !== 'request') return Readable.from([body]);
    const message = parsed.message;
    if (message.method === MCP_METHODS.INITIALIZE) {
      const info = (message.params as { clientInfo?: unknown } | undefined)?.clientInfo;
      if (info && typeof info === 'object') this.initializing.set(request, { route, info: info as Record<string, unknown> });
    }
    const sessionId = headerValue(request, HEADER_MCP_SESSION_ID);
    const recorder = this.recorder?.enabled ? this.recorder : null;
    const exchange = new HttpServiceExchange(message, {
      route,
      principal,
      clientInfo: sessionId ? (this.clients.get(sessionKey(route, sessionId)) ?? null) : null,
      pins,
      record: recorder && ((call) => recorder.record(call)),
      withPayload: recorder?.storesPayloads(route.id) ?? false,
      listed: () => this.compared.add(child.run),
    });
    // A call may come before any list: the child could be serving a changed tool the pins have not seen yet.
    if (message.method === MCP_METHODS.TOOLS_CALL && pins?.blocking() && !(await this.compare(child, pins, route))) {
      const error = errorResponse(message.id, SERVER_UNAVAILABLE, `The tools of "${route.name}" could not be listed to check them`);
      exchange.answered(error, undefined);
      sendJson(response, 200, error);
      return null;
    }
    const refusal = this.refusalOf(message, pins, route);
    if (refusal) {
      exchange.answered(refusal, undefined);
      sendJson(response, 200, refusal);
      return null;
    }
    if (exchange.records || exchange.screens) this.exchanges.set(request, exchange);
    return Readable.from([body]);
  }

  /** The request is on its way to the child. */
  sent(proxyRequest: ClientRequest, request: IncomingMessage): void {
    const exchange = this.exchanges.get(request);
    if (!exchange) return;
    // The answer is read: it must come as the child wrote it, not compressed.
    proxyRequest.removeHeader('accept-encoding');
    proxyRequest.once('timeout', () => (exchange.timedOut = true));
  }

  /** The child could not be reached, or did not answer in time. */
  failed(request: IncomingMessage, errorOf: (id: JsonRpcId) => JsonRpcMessage): void {
    const exchange = this.exchanges.get(request);
    if (exchange) exchange.answered(exchange.timedOut ? null : errorOf(exchange.id), undefined);
  }

  /**
   * The child's answer: remembers a new session's clientInfo, and reads an answer the call history or tool
   * pinning needs. True when the answer was written to the client here (a tool list, screened).
   */
  relay(
    upstream: IncomingMessage,
    request: IncomingMessage,
    response: ServerResponse,
    headers: IncomingHttpHeaders,
    isStream: boolean,
  ): boolean {
    const initializing = this.initializing.get(request);
    const sessionId = upstream.headers[HEADER_MCP_SESSION_ID];
    if (initializing && typeof sessionId === 'string') this.remember(sessionKey(initializing.route, sessionId), initializing.info);
    const exchange = this.exchanges.get(request);
    if (!exchange) return false;
    const isJson = (upstream.headers['content-type'] ?? '').includes('json');
    const compressed = !!upstream.headers['content-encoding'] && upstream.headers['content-encoding'] !== 'identity';
    // A 202 or an empty answer: the reply travels elsewhere (an older server's GET stream), not recorded here.
    if ((!isStream && !isJson) || compressed) {
      exchange.abandon();
      return false;
    }
    response.once('close', () => exchange.answered(null, undefined));
    if (exchange.screens) {
      if (isStream) screenStream(exchange, upstream, response, headers);
      else screenJson(exchange, upstream, response, headers);
      return true;
    }
    if (isStream) upstream.on('data', sseWatcher(exchange));
    else {
      const chunks: Buffer[] = [];
      let size = 0;
      upstream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      upstream.once('end', () => exchange.watchMessage(Buffer.concat(chunks, size)));
    }
    return false;
  }

  /** Lists the child's tools for the pins once per run of it (concurrent calls wait for the same list); false when it could not. */
  private compare(child: ChildTarget, pins: UpstreamToolPins, route: ServiceRoute): Promise<boolean> {
    if (this.compared.has(child.run)) return Promise.resolve(true);
    let pending = this.comparing.get(child.run);
    if (!pending) {
      pending = listChildTools(child.endpoint, route.proxy.requestTimeoutSec * 1000).then(
        (pages) => {
          for (const page of pages) pins.observe(page.result, page.params);
          this.compared.add(child.run);
          return true;
        },
        () => false,
      );
      const settled = pending.finally(() => this.comparing.delete(child.run));
      this.comparing.set(child.run, settled);
      pending = settled;
    }
    return pending;
  }

  private refusalOf(message: JsonRpcRequest, pins: UpstreamToolPins | null, route: ServiceRoute): JsonRpcMessage | null {
    if (message.method !== MCP_METHODS.TOOLS_CALL || !pins) return null;
    return heldToolRefusal(message.id, message.params, pins.held(), route.name);
  }

  private pinsOf(route: ServiceRoute): UpstreamToolPins | null {
    if (!this.guard || policyOf(route) === 'off') return null;
    return toolPinsFor(this.guard, route.id, () => policyOf(route));
  }

  private remember(key: string, info: Record<string, unknown>): void {
    if (this.clients.size >= MAX_REMEMBERED_CLIENTS) {
      const oldest = this.clients.keys().next();
      if (!oldest.done) this.clients.delete(oldest.value);
    }
    this.clients.set(key, info);
  }
}

function sessionKey(route: ServiceRoute, sessionId: string): string {
  return `${route.id}\n${sessionId}`;
}

/** A JSON `tools/list` answer, held whole, compared and written with the held tools left out. */
function screenJson(
  exchange: HttpServiceExchange,
  upstream: IncomingMessage,
  response: ServerResponse,
  headers: IncomingHttpHeaders,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  upstream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  upstream.once('error', () => response.destroy());
  upstream.once('end', () => {
    const bytes = Buffer.concat(chunks, size);
    const body = size <= MAX_SCREENED_JSON_BYTES ? exchange.screenMessage(bytes) : bytes;
    const { 'transfer-encoding': _chunked, ...rest } = headers;
    response.writeHead(upstream.statusCode ?? 502, { ...rest, 'content-length': String(body.length) });
    response.end(body);
  });
}

/** An SSE `tools/list` answer: each event passed on as it completes, the list's with the held tools left out. */
function screenStream(
  exchange: HttpServiceExchange,
  upstream: IncomingMessage,
  response: ServerResponse,
  headers: IncomingHttpHeaders,
): void {
  response.writeHead(upstream.statusCode ?? 502, headers);
  response.flushHeaders();
  upstream.on(
    'data',
    sseScreen(exchange, (text) => response.write(text)),
  );
  upstream.once('error', () => response.destroy());
  upstream.once('end', () => response.end());
}
