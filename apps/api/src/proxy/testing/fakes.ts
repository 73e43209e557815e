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
  JsonRpcPeer,
  JsonRpcRequest,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import type { ProcessConfigView, ProxyConfigView } from '@mcp-proxy/shared/dto';
import type { Principal } from '../../core/auth/principal';
import type { ChildExit, ChildHandle } from '../../supervisor/child-handle';
import type { ServiceRoute } from '../routing/route-table';
import type { MessageSink } from '../sessions/message-sink';
import type { ServerIdentity } from '../upstream/upstream';

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
        this.received.push(JSON.parse(text) as JsonRpcMessage);
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
