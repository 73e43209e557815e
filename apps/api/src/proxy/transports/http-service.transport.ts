import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { errorResponse, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import httpProxy from 'http-proxy';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Principal } from '../../core/auth/principal';
import { ClientOrigin } from '../../core/http/client-origin';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { sendRpcError } from '../../core/http/http-io';
import { CALL_RECORDER, type CallRecorder } from '../metrics/call-record';
import { withoutQueryParam } from '../routing/mcp-path';
import type { ServiceRoute } from '../routing/route-table';
import { TOOL_PIN_GUARD, type ToolPinGuard } from '../upstream/tool-pin-guard';
import { SseEndpointRewriter } from './endpoint-rewriter';
import { HttpServiceWatch } from './http-service-watch';

/** Our credentials and hop-by-hop headers never travel to the child (RFC 9110 §7.6.1). */
const STRIPPED_HEADERS = ['authorization', 'x-api-key', 'cookie', 'proxy-authorization', 'keep-alive', 'te', 'trailer', 'proxy-connection'];
/** The query parameter a WebSocket client may carry our credential in: it is ours, on every request, never the child's. */
const CREDENTIAL_QUERY_PARAM = 'token';
/** Forwarding headers the client may have written; the child gets ours instead (see `forwardedTo`). */
const CLIENT_FORWARDING_HEADERS = ['forwarded', 'x-forwarded-port', 'x-real-ip'];

/**
 * `http` services: the child is an HTTP MCP server on 127.0.0.1, reverse-proxied with http-proxy.
 * `/mcp/<service>` maps to the child's `/mcp`, `/mcp/<service>/<path>` to `/<path>`; SSE streams
 * are passed unbuffered (with their `endpoint` event moved under the prefix) and WebSockets upgraded.
 */
@Injectable()
export class HttpServiceTransport implements OnModuleDestroy {
  // X-Forwarded-* are set by `forwardedTo`, from what ClientOrigin believes, not appended to the client's own.
  private readonly proxy = httpProxy.createProxyServer({ xfwd: false, changeOrigin: true, selfHandleResponse: true, ws: true });
  /** The prefix each proxied request came in under, to rewrite paths the child announces. */
  private readonly prefixes = new WeakMap<IncomingMessage, string>();
  /** Reads what the call history and tool pinning need of the messages and answers. */
  private readonly watch: HttpServiceWatch;

  constructor(
    private readonly supervisor: ProcessSupervisor,
    private readonly client: ClientOrigin,
    @Optional() @Inject(CALL_RECORDER) recorder: CallRecorder | null = null,
    @Optional() @Inject(TOOL_PIN_GUARD) guard: ToolPinGuard | null = null,
  ) {
    this.watch = new HttpServiceWatch(recorder, guard);
    this.proxy.on('proxyReq', (proxyRequest, request) => {
      this.forwardedTo(proxyRequest, request);
      this.watch.sent(proxyRequest, request);
    });
    this.proxy.on('proxyReqWs', (proxyRequest, request) => this.forwardedTo(proxyRequest, request));
    this.proxy.on('proxyRes', (upstream, request, response) => this.relay(upstream, request, response as ServerResponse));
    this.proxy.on('error', (error, request, target) => {
      const message = `The MCP server did not answer: ${error.message}`;
      this.watch.failed(request, (id) => errorResponse(id, SERVER_UNAVAILABLE, message));
      if ('writeHead' in target) sendRpcError(target as ServerResponse, 502, SERVER_UNAVAILABLE, message);
      else (target as Duplex).destroy();
    });
  }

  /** `base` is the prefix the client used (`/mcp/<service>`), kept in paths the child announces. */
  forward(request: IncomingMessage, response: ServerResponse, route: ServiceRoute, principal: Principal, base: string, rest: string): void {
    const child = this.supervisor.handleOf(route.id);
    const port = child?.port ?? null;
    if (!child || port === null)
      return sendRpcError(response, 503, SERVER_UNAVAILABLE, `MCP server "${route.name}" is ${this.supervisor.statusOf(route.id)}`);
    this.prefixes.set(request, base);
    request.url = upstreamPath(rest);
    // Streams (GET) may be quiet for long; calls are bounded by the service's request time-out.
    const options = {
      target: `http://127.0.0.1:${port}`,
      proxyTimeout: request.method === 'GET' ? undefined : route.proxy.requestTimeoutSec * 1000,
    };
    if (request.method !== 'POST' || !this.watch.watches(route)) {
      this.watch.passing(request, route);
      return this.proxy.web(request, response, options);
    }
    // The message is read first (the call history, a held tool's refusal), then sent on as the bytes it came in.
    this.watch
      .inspect(request, response, route, principal, { run: child, endpoint: `${options.target}/mcp` })
      .then((body) => {
        if (body) this.proxy.web(request, response, { ...options, buffer: body });
      })
      .catch((error: unknown) => {
        sendRpcError(response, 500, SERVER_UNAVAILABLE, `Could not forward to "${route.name}": ${String(error)}`);
      });
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, route: ServiceRoute, rest: string): void {
    const port = this.portOf(route);
    if (port === null) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    request.url = upstreamPath(rest);
    this.proxy.ws(request, socket, head, { target: `ws://127.0.0.1:${port}` });
  }

  onModuleDestroy(): void {
    this.proxy.close();
  }

  /**
   * Without our credentials, and with one X-Forwarded-For/-Proto/-Host each: the client as we see it
   * (behind a trusted reverse proxy, the one it named), never a chain the client could have forged.
   */
  private forwardedTo(proxyRequest: ClientRequest, request: IncomingMessage): void {
    for (const header of [...STRIPPED_HEADERS, ...CLIENT_FORWARDING_HEADERS]) proxyRequest.removeHeader(header);
    proxyRequest.setHeader('x-forwarded-for', this.client.address(request));
    proxyRequest.setHeader('x-forwarded-proto', this.client.protocol(request));
    const host = this.client.host(request);
    if (host) proxyRequest.setHeader('x-forwarded-host', host);
    else proxyRequest.removeHeader('x-forwarded-host');
  }

  private portOf(route: ServiceRoute): number | null {
    return this.supervisor.handleOf(route.id)?.port ?? null;
  }

  private relay(upstream: IncomingMessage, request: IncomingMessage, response: ServerResponse): void {
    const isStream = (upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
    const headers = { ...upstream.headers };
    if (isStream) {
      headers['x-accel-buffering'] = 'no';
      delete headers['content-length'];
    }
    // A call the history keeps or a tool list to compare: its answer is read on its way.
    if (this.watch.relay(upstream, request, response, headers, isStream)) return;
    response.writeHead(upstream.statusCode ?? 502, headers);
    if (!isStream) return void upstream.pipe(response);
    response.flushHeaders();
    upstream.pipe(new SseEndpointRewriter(this.prefixes.get(request) ?? '')).pipe(response);
  }
}

function upstreamPath(rest: string): string {
  const path = rest === '' || rest.startsWith('?') ? `/mcp${rest}` : rest;
  return withoutQueryParam(path, CREDENTIAL_QUERY_PARAM);
}
