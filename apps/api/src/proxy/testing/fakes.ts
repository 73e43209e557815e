/**
 * Test doubles for the data plane's unit specs: the far end of a child's stdio (a real, pure
 * JsonRpcPeer whose other side the test plays), a reply sink that records what reached the client,
 * a ChildHandle the test can make exit, and plain routes and principals. They stand in for the real
 * child, socket and registry so a change to the hot path gets feedback in seconds, without the e2e
 * suites. Excluded from the app build (tsconfig.app.json); specs only.
 */
import {
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcPeer,
  JsonRpcRequest,
  JsonRpcResponse,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  SERVER_UNAVAILABLE,
  wireText,
} from '@mcp-proxy/mcp/protocol';
import type { ProcessConfigView, ProxyConfigView } from '@mcp-proxy/shared/dto';
import type { Principal } from '../../core/auth/principal';
import type { ChildExit, ChildHandle } from '../../supervisor/child-handle';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession, InFlight } from '../sessions/client-session';
import type { MessageSink } from '../sessions/message-sink';
import type { ServiceUnavailable, UpstreamRegistry } from '../upstream/upstream-registry';
import type { ServerIdentity, Upstream } from '../upstream/upstream';
import type { UrlElicitation } from '../../upstream-auth/upstream-elicitations';

/** Every wait in these specs has this bound: a broken rule fails the test instead of hanging it. */
export const WAIT_MS = 1000;

/** Resolves once `check` holds (polled each macrotask), or rejects after `timeoutMs` naming what was awaited. */
export async function until(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const IDENTITY: ServerIdentity = {
  protocolVersion: LATEST_INITIALIZE_PROTOCOL_VERSION,
  capabilities: { tools: {}, resources: { subscribe: true } },
  serverInfo: { name: 'fake-server', version: '1.0.0' },
  instructions: 'Use the echo tool.',
};

/**
 * A stdio child as the proxy sees it: `peer` is what the proxy talks through (the same pure class
 * the supervisor gives it); the test reads what reached the child's stdin and writes its stdout.
 */
export class FakeChild {
  readonly peer: JsonRpcPeer;
  /** Every message the proxy wrote to the child, in order. */
  readonly received: JsonRpcMessage[] = [];
  private open = true;

  constructor(options: { nextId?: () => JsonRpcId } = {}) {
    this.peer = new JsonRpcPeer({
      send: (text) => {
        if (!this.open) return false;
        this.received.push(JSON.parse(wireText(text)) as JsonRpcMessage);
        return true;
      },
      nextId: options.nextId,
    });
  }

  /** The requests the proxy sent, optionally of one method. */
  requests(method?: string): JsonRpcRequest[] {
    return this.received.filter(
      (message): message is JsonRpcRequest => 'method' in message && 'id' in message && (!method || message.method === method),
    );
  }

  /** The notifications the proxy sent, optionally of one method. */
  notifications(method?: string): JsonRpcMessage[] {
    return this.received.filter((message) => 'method' in message && !('id' in message) && (!method || message.method === method));
  }

  /** The responses the proxy sent (answers to the child's own requests). */
  responses(): JsonRpcMessage[] {
    return this.received.filter((message) => !('method' in message));
  }

  /** Waits for the `index`-th request of a method (0-based) to reach the child. */
  async request(method: string, index = 0): Promise<JsonRpcRequest> {
    await until(() => this.requests(method).length > index, `request #${index} of ${method} at the child`);
    return this.requests(method)[index];
  }

  /** The child writes one line to stdout. */
  say(message: JsonRpcMessage): void {
    this.peer.receive(JSON.stringify(message));
  }

  reply(id: JsonRpcId, result: unknown): void {
    this.say({ jsonrpc: '2.0', id, result });
  }

  replyError(id: JsonRpcId, code: number, message: string): void {
    this.say({ jsonrpc: '2.0', id, error: { code, message } });
  }

  /** Answers the proxy's `initialize` with `identity` (and lets it prime its tool list with `tools`). */
  async completeInitialize(identity: ServerIdentity = IDENTITY, tools: unknown[] = []): Promise<void> {
    const initialize = await this.request(MCP_METHODS.INITIALIZE);
    this.reply(initialize.id, identity);
    if (identity.capabilities['tools']) {
      const list = await this.request(MCP_METHODS.TOOLS_LIST);
      this.reply(list.id, { tools });
    }
  }

  /** The process dies: what the supervisor does then (every pending request fails at once). */
  die(reason = 'exited with code 1'): void {
    this.open = false;
    this.peer.close({ code: SERVER_UNAVAILABLE, message: `MCP server "fake" exited (${reason})` });
  }
}

/** A ChildHandle over a FakeChild; `exit()` settles `exited` as the supervisor would. */
export class FakeChildHandle implements ChildHandle {
  readonly pid = 4242;
  readonly port = null;
  readonly exited: Promise<ChildExit>;
  private settleExit: (exit: ChildExit) => void = () => undefined;

  constructor(
    readonly serviceId: string,
    readonly serviceName: string,
    readonly generation: number,
    readonly child: FakeChild = new FakeChild(),
  ) {
    this.exited = new Promise((resolve) => (this.settleExit = resolve));
  }

  get peer(): JsonRpcPeer {
    return this.child.peer;
  }

  exit(expected: boolean, reason = 'exited with code 1'): ChildExit {
    const exit: ChildExit = { serviceId: this.serviceId, generation: this.generation, code: 1, signal: null, reason, expected };
    this.child.die(reason);
    this.settleExit(exit);
    return exit;
  }
}

/** Where a client's messages land: the body of its POST, or a stream. Records instead of writing. */
export class RecordingSink implements MessageSink {
  readonly messages: JsonRpcMessage[] = [];
  closed = false;

  constructor(readonly streaming = true) {}

  send(message: JsonRpcMessage): boolean {
    if (this.closed) return false;
    this.messages.push(message);
    return true;
  }

  /** Waits until `count` messages have arrived; returns them all. */
  async received(count: number): Promise<JsonRpcMessage[]> {
    await until(() => this.messages.length >= count, `${count} message(s) at the sink`);
    return this.messages;
  }
}

/** A route with the defaults a freshly created stdio service has; override what a test is about. */
export function fakeRoute(
  overrides: Partial<Omit<ServiceRoute, 'proxy' | 'process'>> & {
    proxy?: Partial<ProxyConfigView>;
    process?: Partial<ProcessConfigView>;
  } = {},
): ServiceRoute {
  const { proxy, process, ...rest } = overrides;
  return {
    id: 'svc-1',
    name: 'notes',
    kind: 'service',
    transport: 'stdio',
    ...rest,
    proxy: {
      path: '/mcp/notes',
      rateLimit: 0,
      cache: true,
      toolResultTtlSec: 0,
      requestTimeoutSec: 30,
      responseMode: 'auto',
      auth: 'apiKey',
      ...proxy,
    },
    process: {
      command: 'node',
      args: ['server.js'],
      cwd: null,
      autoRestart: true,
      maxRestarts: 3,
      port: null,
      isolation: 'shared',
      restartWindowSec: 60,
      healthCheckIntervalSec: 30,
      memoryLimitMb: null,
      maxSessions: 10,
      sessionIdleTimeoutSec: 600,
      ...process,
    },
  };
}

export function fakePrincipal(overrides: Partial<Principal> = {}): Principal {
  return { kind: 'client', id: 'client:alice', role: 'operator', ...overrides };
}

/** An upstream that records what reached it and, unless told to hang, answers each request at once. */
export class FakeUpstream implements Upstream {
  identity: ServerIdentity | null = IDENTITY;
  readonly forwarded: { session: ClientSession; request: JsonRpcRequest; timeoutMs: number }[] = [];
  readonly notified: JsonRpcNotification[] = [];
  readonly answers: JsonRpcResponse[] = [];
  readonly released: ClientSession[] = [];
  /** The result a forwarded request gets; null leaves it waiting. */
  resultFor: ((request: JsonRpcRequest) => unknown) | null = (request) => ({ echoed: request.method });
  /** Whether notifications and answers are written on to a server (false: taken and dropped). */
  writesOn = true;

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    this.forwarded.push({ session, request, timeoutMs });
    if (this.resultFor) session.finish(entry, { jsonrpc: '2.0', id: entry.clientId, result: this.resultFor(request) });
  }

  notify(_session: ClientSession, notification: JsonRpcNotification): boolean {
    this.notified.push(notification);
    return this.writesOn;
  }

  answer(_session: ClientSession, response: JsonRpcResponse): boolean {
    this.answers.push(response);
    return this.writesOn;
  }

  release(session: ClientSession): void {
    this.released.push(session);
  }
}

/**
 * The registry as the dispatcher and transports use it: one shared upstream, there for a service
 * once it has been asked for (as a started child's is); a FakeUpstream of its own for each
 * session-isolated session; or an outage, which takes the shared upstream away as a dead child would.
 */
export class FakeUpstreams {
  readonly shared = new FakeUpstream();
  readonly dedicated = new Map<string, FakeUpstream>();
  private readonly running = new Set<string>();
  private unavailable: ServiceUnavailable | null = null;

  /** Every service becomes unavailable with this error (what `sharedFor` and `dedicatedFor` throw). */
  down(error: ServiceUnavailable): void {
    this.unavailable = error;
    this.running.clear();
  }

  of(session: ClientSession): Upstream | undefined {
    return this.dedicated.get(session.id) ?? (this.running.has(session.serviceId) ? this.shared : undefined);
  }

  async sharedFor(route: ServiceRoute): Promise<FakeUpstream> {
    if (this.unavailable) throw this.unavailable;
    this.running.add(route.id);
    return this.shared;
  }

  async dedicatedFor(_route: ServiceRoute, session: ClientSession): Promise<FakeUpstream> {
    if (this.unavailable) throw this.unavailable;
    const upstream = new FakeUpstream();
    this.dedicated.set(session.id, upstream);
    return upstream;
  }

  sharedIdentity(): ServerIdentity | null {
    return this.shared.identity;
  }

  /** Upstream OAuth: the connection's upstream per session, when a test gives one (or the error opening it throws). */
  readonly connections = new Map<string, FakeUpstream | Error>();

  async connectionFor(route: ServiceRoute, session: ClientSession): Promise<Upstream | null> {
    const found = route.upstreamOAuth ? this.connections.get(session.id) : undefined;
    if (found instanceof Error) throw found;
    return found ?? null;
  }

  /** URL elicitations a test offers per session (none by default). */
  readonly elicitations = new Map<string, UrlElicitation>();

  async elicitationFor(_route: ServiceRoute, session: ClientSession): Promise<UrlElicitation | null> {
    return this.elicitations.get(session.id) ?? null;
  }

  connectionIdentity(session: ClientSession): ServerIdentity | null {
    const found = this.connections.get(session.id);
    return found instanceof FakeUpstream ? found.identity : null;
  }

  /** Typed as the class it stands in for (only the members above are used by its callers). */
  asRegistry(): UpstreamRegistry {
    return this as unknown as UpstreamRegistry;
  }
}
