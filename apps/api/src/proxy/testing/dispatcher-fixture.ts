import { type JsonRpcRequest, LATEST_INITIALIZE_PROTOCOL_VERSION, MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AUTH_EVENTS, type AuthRefusal } from '../../core/auth/auth-events';
import type { Principal } from '../../core/auth/principal';
import type { TracingService } from '../../core/tracing/tracing.service';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession } from '../sessions/client-session';
import { SessionStore } from '../sessions/session-store';
import { fakePrincipal, fakeRoute, FakeUpstreams, RecordingSink } from './fakes';

/** The shared-mode service most dispatcher tests talk to. */
export const sharedRoute = fakeRoute();

export const initializeRequest = (
  protocolVersion: unknown = LATEST_INITIALIZE_PROTOCOL_VERSION,
  capabilities: unknown = {},
): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id: 0,
  method: MCP_METHODS.INITIALIZE,
  params: { protocolVersion, capabilities, clientInfo: { name: 'inspector', version: '1' } },
});

export const rpcRequest = (id: number | string, method: string, params?: Record<string, unknown>): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params ? { params } : {}),
});

export interface DispatcherFixture {
  upstreams: FakeUpstreams;
  sessions: SessionStore;
  /** The refusals the dispatcher audited. */
  refusals: AuthRefusal[];
  dispatcher: McpDispatcher;
  /** A session opened by `initialize`, and the answer its client got. */
  opened(route?: ServiceRoute, message?: JsonRpcRequest, principal?: Principal): Promise<{ session: ClientSession; sink: RecordingSink }>;
}

/** A dispatcher over fake upstreams, made afresh before each test of the calling `describe` (and its sessions closed after). */
export function useDispatcher(): DispatcherFixture {
  const fixture = {
    async opened(route = sharedRoute, message = initializeRequest(), principal = fakePrincipal()) {
      const session = await fixture.dispatcher.open(route, principal, 'streamable-http', message);
      const sink = new RecordingSink(false);
      fixture.dispatcher.initialize(session, route, message, sink);
      return { session, sink };
    },
  } as DispatcherFixture;
  beforeEach(() => {
    fixture.upstreams = new FakeUpstreams();
    fixture.sessions = new SessionStore();
    fixture.refusals = [];
    const events = new EventEmitter2();
    events.on(AUTH_EVENTS.refused, (refusal: AuthRefusal) => fixture.refusals.push(refusal));
    fixture.dispatcher = new McpDispatcher(fixture.upstreams.asRegistry(), fixture.sessions, events, { enabled: false } as TracingService);
  });
  afterEach(() => fixture.sessions.onModuleDestroy());
  return fixture;
}
