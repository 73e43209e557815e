/**
 * The Streamable HTTP transport on a loopback server for its specs, as the MCP handler calls it once the
 * gate has passed: the route and principal are what the gate would have found (a test may set its own).
 * `transportOnLoopback()` registers the set-up and tear-down around every test of the calling suite.
 */
import { HEADER_MCP_SESSION_ID, MCP_METHODS, PROTOCOL_VERSION_2025_06_18 } from '@mcp-proxy/mcp/protocol';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '../../core/auth/principal';
import type { TracingService } from '../../core/tracing/tracing.service';
import { largeBodyBudget } from '../http/incoming-rpc';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { RateLimiter } from '../limits/rate-limiter';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import { SessionStore } from '../sessions/session-store';
import { StreamableHttpTransport } from '../transports/streamable-http.transport';
import { fakePrincipal, fakeRoute, FakeUpstreams, WAIT_MS } from './fakes';

export const BOTH = 'application/json, text/event-stream';

export const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: MCP_METHODS.INITIALIZE,
  params: { protocolVersion: PROTOCOL_VERSION_2025_06_18, capabilities: {} },
};

export const toolCall = (id: number, name = 'echo') => ({
  jsonrpc: '2.0',
  id,
  method: MCP_METHODS.TOOLS_CALL,
  params: { name, arguments: {} },
});

export interface TransportUnderTest {
  upstreams: FakeUpstreams;
  sessions: SessionStore;
  /** The MCP endpoint's URL. */
  base: string;
  route: ServiceRoute;
  principal: Principal;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  send(method: 'GET' | 'DELETE', headers?: Record<string, string>): Promise<Response>;
  /** Initializes a session and returns its id. */
  openSession(): Promise<string>;
  /** An SSE stream read as it comes: `read(text)` waits (bounded) for that text to have arrived, and returns all so far. */
  stream(headers: Record<string, string>): Promise<{ response: Response; read: (expected: string) => Promise<string>; close: () => void }>;
}

export function transportOnLoopback(): TransportUnderTest {
  let limiter: RateLimiter;
  let server: Server;
  const streams: AbortController[] = [];

  const t = {
    async post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
      return fetch(t.base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(WAIT_MS * 5),
      });
    },
    async send(method: 'GET' | 'DELETE', headers: Record<string, string> = {}): Promise<Response> {
      return fetch(t.base, { method, headers, signal: AbortSignal.timeout(WAIT_MS * 5) });
    },
    async openSession(): Promise<string> {
      const response = await t.post(initialize);
      expect(response.status).toBe(200);
      return response.headers.get(HEADER_MCP_SESSION_ID) ?? '';
    },
    async stream(headers: Record<string, string>) {
      const abort = new AbortController();
      streams.push(abort);
      const response = await fetch(t.base, { method: 'GET', headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const read = async (expected: string): Promise<string> => {
        const deadline = Date.now() + WAIT_MS;
        while (!text.includes(expected)) {
          if (!reader || Date.now() > deadline) throw new Error(`"${expected}" not on the stream; got: ${text}`);
          const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), WAIT_MS))]);
          if (chunk === null || chunk.done) throw new Error(`"${expected}" not on the stream; got: ${text}`);
          text += decoder.decode(chunk.value);
        }
        return text;
      };
      return { response, read, close: () => abort.abort() };
    },
  } as TransportUnderTest;

  beforeEach(async () => {
    t.upstreams = new FakeUpstreams();
    t.sessions = new SessionStore();
    limiter = new RateLimiter();
    const dispatcher = new McpDispatcher(t.upstreams.asRegistry(), t.sessions, new EventEmitter2(), { enabled: false } as TracingService);
    const transport = new StreamableHttpTransport(
      dispatcher,
      t.sessions,
      t.upstreams.asRegistry(),
      limiter,
      new StreamHeartbeat(15_000),
      largeBodyBudget(),
    );
    t.route = fakeRoute();
    t.principal = fakePrincipal();
    server = createServer((request, response) => {
      const handle =
        request.method === 'POST'
          ? transport.post(request, response, t.route, t.principal)
          : request.method === 'GET'
            ? transport.get(request, response, t.route, t.principal)
            : transport.delete(request, response, t.route, t.principal);
      handle.catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp/notes`;
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.abort();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    t.sessions.onModuleDestroy();
    limiter.onModuleDestroy();
  });

  return t;
}
