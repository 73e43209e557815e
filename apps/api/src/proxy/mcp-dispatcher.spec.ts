import {
  encodeMessageParts,
  INVALID_PARAMS,
  INVALID_REQUEST,
  JsonRpcNotification,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  PROTOCOL_VERSION_2024_11_05,
  PROTOCOL_VERSION_2025_06_18,
  PROTOCOL_VERSION_2026_07_28,
  parseMessageBytes,
  writtenCallback,
} from '@mcp-proxy/mcp/protocol';
import type { AuthRefusal } from '../core/auth/auth-events';
import type { McpDispatcher } from './mcp-dispatcher';
import type { ClientSession } from './sessions/client-session';
import type { SessionStore } from './sessions/session-store';
import { initializeRequest as initialize, rpcRequest as request, sharedRoute as shared, useDispatcher } from './testing/dispatcher-fixture';
import { fakePrincipal, fakeRoute, FakeUpstream, FakeUpstreams, IDENTITY, RecordingSink } from './testing/fakes';
import { ServiceUnavailable } from './upstream/upstream-registry';

const isolated = fakeRoute({ id: 'svc-2', name: 'scratch', process: { isolation: 'session' } });

describe('McpDispatcher', () => {
  const fixture = useDispatcher();
  let upstreams: FakeUpstreams;
  let sessions: SessionStore;
  let refusals: AuthRefusal[];
  let dispatcher: McpDispatcher;
  const opened = fixture.opened;

  beforeEach(() => ({ upstreams, sessions, refusals, dispatcher } = fixture));

  describe('open and initialize', () => {
    it.each([
      ['a supported version', PROTOCOL_VERSION_2025_06_18, PROTOCOL_VERSION_2025_06_18],
      ['the oldest supported version', PROTOCOL_VERSION_2024_11_05, PROTOCOL_VERSION_2024_11_05],
      ['an unknown version', '1999-01-01', LATEST_INITIALIZE_PROTOCOL_VERSION],
      ['a stateless version (which has no initialize)', PROTOCOL_VERSION_2026_07_28, LATEST_INITIALIZE_PROTOCOL_VERSION],
      ['no version at all', undefined, LATEST_INITIALIZE_PROTOCOL_VERSION],
    ])('answers %s with the negotiated version and the shared child’s identity', async (_case, requested, negotiated) => {
      const { session, sink } = await opened(shared, initialize(requested));
      expect(session.protocolVersion).toBe(negotiated);
      expect(sink.messages).toEqual([
        {
          jsonrpc: '2.0',
          id: 0,
          result: {
            protocolVersion: negotiated,
            capabilities: IDENTITY.capabilities,
            serverInfo: IDENTITY.serverInfo,
            instructions: IDENTITY.instructions,
          },
        },
      ]);
      // The shared child was initialized by the proxy: the client's initialize never reaches it.
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it('binds the session to its principal, service, capabilities and tool limits', async () => {
      const principal = fakePrincipal({ id: 'client:bob', scope: { tools: ['read_*'] } });
      const { session } = await opened(shared, initialize(undefined, { sampling: {} }), principal);
      expect(sessions.find(session.id, 'client:bob')).toBe(session);
      expect(sessions.find(session.id, 'client:alice')).toBeUndefined();
      expect(session.serviceId).toBe(shared.id);
      expect(session.clientCapabilities).toEqual({ sampling: {} });
      expect(session.toolAllowList?.('read_note')).toBe(true);
      expect(session.toolAllowList?.('delete_note')).toBe(false);
    });

    it('leaves no session behind when the service is unavailable', async () => {
      upstreams.down(new ServiceUnavailable('MCP server "notes" is stopped', 'stopped'));
      await expect(dispatcher.open(shared, fakePrincipal(), 'streamable-http', initialize())).rejects.toThrow('is stopped');
      expect(sessions.size).toBe(0);
    });

    it('tells the client to retry when the shared child restarted between open and initialize', async () => {
      upstreams.shared.identity = null;
      const { sink } = await opened();
      expect(sink.messages).toEqual([
        { jsonrpc: '2.0', id: 0, error: { code: INVALID_REQUEST, message: 'The MCP server restarted during initialization; try again' } },
      ]);
    });

    it('gives a session-isolated session a child of its own, which answers initialize itself', async () => {
      const message = initialize(PROTOCOL_VERSION_2025_06_18);
      const { session, sink } = await opened(isolated, message);
      const own = upstreams.dedicated.get(session.id);
      expect(own?.forwarded.map((call) => call.request)).toEqual([message]);
      expect(upstreams.shared.forwarded).toEqual([]);
      expect(sink.messages).toEqual([{ jsonrpc: '2.0', id: 0, result: { echoed: MCP_METHODS.INITIALIZE } }]);
    });
  });

  describe('upstream OAuth', () => {
    const oauth = fakeRoute({ upstreamOAuth: 'perUser' });

    it('sends a connected session’s calls on its connection, not the placeholder', async () => {
      const { session } = await opened(oauth);
      const own = new FakeUpstream();
      upstreams.connections.set(session.id, own);
      const call = request(1, MCP_METHODS.TOOLS_CALL, { name: 'whoami', arguments: {} });
      await dispatcher.request(session, oauth, call, () => new RecordingSink(false));
      expect(own.forwarded.map((each) => each.request)).toEqual([call]);
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it('leaves a session without a connection to the placeholder, which tells it where to connect', async () => {
      const { session } = await opened(oauth);
      const call = request(1, MCP_METHODS.TOOLS_LIST);
      await dispatcher.request(session, oauth, call, () => new RecordingSink(false));
      expect(upstreams.shared.forwarded.map((each) => each.request)).toEqual([call]);
    });

    it('answers a session without a connection with -32042 and the link when one is offered (URL elicitation)', async () => {
      const { session } = await opened(oauth);
      const offer = {
        mode: 'url' as const,
        elicitationId: 'e1',
        url: 'https://proxy.example/api/upstream-oauth/elicitations/e1',
        message: 'connect',
      };
      upstreams.elicitations.set(session.id, offer);
      const sink = new RecordingSink(false);
      await dispatcher.request(session, oauth, request(4, MCP_METHODS.TOOLS_CALL, { name: 'whoami' }), () => sink);
      expect(sink.messages).toEqual([
        { jsonrpc: '2.0', id: 4, error: { code: -32042, message: 'connect', data: { elicitations: [offer] } } },
      ]);
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it.each([
      [
        MCP_METHODS.TOOLS_CALL,
        { jsonrpc: '2.0', id: 3, result: { isError: true, content: [{ type: 'text', text: 'reconnect at /services/x' }] } },
      ],
      [MCP_METHODS.TOOLS_LIST, { jsonrpc: '2.0', id: 3, error: { code: -31000, message: 'reconnect at /services/x' } }],
    ])('answers %s with why when the connection cannot open a session', async (method, answer) => {
      const { session } = await opened(oauth);
      upstreams.connections.set(session.id, new Error('reconnect at /services/x'));
      const sink = new RecordingSink(false);
      await dispatcher.request(
        session,
        oauth,
        request(3, method, method === MCP_METHODS.TOOLS_CALL ? { name: 'whoami' } : undefined),
        () => sink,
      );
      expect(sink.messages).toEqual([answer]);
      expect(upstreams.shared.forwarded).toEqual([]);
    });
  });

  describe('requests in a session', () => {
    it('forwards a request to the session’s upstream with the service’s time-out, and the answer reaches its sink', async () => {
      const route = fakeRoute({ proxy: { requestTimeoutSec: 7 } });
      const { session } = await opened(route);
      const sink = new RecordingSink(false);
      const call = request(1, MCP_METHODS.TOOLS_CALL, { name: 'echo', arguments: {} });
      await dispatcher.request(session, route, call, () => sink);
      expect(upstreams.shared.forwarded).toEqual([{ session, request: call, timeoutMs: 7000 }]);
      expect(sink.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: { echoed: MCP_METHODS.TOOLS_CALL } }]);
    });

    it.each([
      [
        'a second initialize',
        request(5, MCP_METHODS.INITIALIZE, {}),
        {
          jsonrpc: '2.0',
          id: 5,
          error: { code: INVALID_REQUEST, message: 'This session is already initialized; start a new session to initialize again' },
        },
      ],
      ['a ping', request(6, MCP_METHODS.PING), { jsonrpc: '2.0', id: 6, result: {} }],
      [
        'a tool outside the allow-list',
        request(7, MCP_METHODS.TOOLS_CALL, { name: 'delete_note', arguments: {} }),
        { jsonrpc: '2.0', id: 7, error: { code: INVALID_PARAMS, message: 'Tool "delete_note" is not allowed for this client' } },
      ],
    ])('answers %s itself, without the upstream', async (_case, message, answer) => {
      const { session } = await opened(shared, initialize(), fakePrincipal({ scope: { tools: ['read_note'] } }));
      const sink = new RecordingSink(false);
      await dispatcher.request(session, shared, message, () => sink);
      expect(sink.messages).toEqual([answer]);
      expect(upstreams.shared.forwarded).toEqual([]);
    });

    it('audits a refused tool call with who asked and which tool', async () => {
      const { session } = await opened(shared, initialize(), fakePrincipal({ scope: { tools: ['read_note'] } }));
      await dispatcher.request(session, shared, request(7, MCP_METHODS.TOOLS_CALL, { name: 'delete_note' }), () => new RecordingSink());
      expect(refusals).toEqual([
        {
          status: 403,
          method: 'tools/call',
          path: '/mcp/notes',
          address: 'mcp session',
          reason: 'tool "delete_note" is not in the allow-list',
          actor: { id: 'client:alice', kind: 'client' },
        },
      ]);
    });

    it('lets a tool inside the allow-list through', async () => {
      const { session } = await opened(shared, initialize(), fakePrincipal({ scope: { tools: ['read_*'] } }));
      await dispatcher.request(session, shared, request(8, MCP_METHODS.TOOLS_CALL, { name: 'read_note' }), () => new RecordingSink());
      expect(upstreams.shared.forwarded).toHaveLength(1);
      expect(refusals).toEqual([]);
    });

    it('refuses a request id that is still in flight in the session, and leaves the first call alone', async () => {
      const { session } = await opened();
      upstreams.shared.resultFor = null;
      const first = new RecordingSink(false);
      const second = new RecordingSink(false);
      await dispatcher.request(session, shared, request(1, MCP_METHODS.TOOLS_CALL, { name: 'slow' }), () => first);
      await dispatcher.request(session, shared, request(1, MCP_METHODS.TOOLS_CALL, { name: 'other' }), () => second);
      expect(second.messages).toEqual([
        { jsonrpc: '2.0', id: 1, error: { code: INVALID_REQUEST, message: 'Request id 1 is already in use in this session' } },
      ]);
      expect(upstreams.shared.forwarded).toHaveLength(1);
      expect(session.find(1)?.sink).toBe(first);
    });

    it('throws ServiceUnavailable before making a sink, so the transport can still answer with an HTTP status', async () => {
      const { session } = await opened();
      upstreams.down(new ServiceUnavailable('MCP server "notes" is crashed', 'crashed'));
      const makeSink = jest.fn(() => new RecordingSink());
      await expect(dispatcher.request(session, shared, request(2, MCP_METHODS.TOOLS_LIST), makeSink)).rejects.toBeInstanceOf(
        ServiceUnavailable,
      );
      expect(makeSink).not.toHaveBeenCalled();
    });

    it('hands notifications and answers to server requests to the session’s upstream', async () => {
      const { session } = await opened();
      const before = (session.lastActivity = 0);
      await dispatcher.deliver(session, { jsonrpc: '2.0', method: MCP_METHODS.ROOTS_LIST_CHANGED });
      await dispatcher.deliver(session, { jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } });
      expect(upstreams.shared.notified).toEqual([{ jsonrpc: '2.0', method: MCP_METHODS.ROOTS_LIST_CHANGED }]);
      expect(upstreams.shared.answers).toEqual([{ jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } }]);
      expect(session.lastActivity).toBeGreaterThan(before);
    });

    it('delivers a large notification once it is written on, or at once when nothing writes it', async () => {
      const { session } = await opened();
      const large = (): JsonRpcNotification => {
        const parsed = parseMessageBytes(
          Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/large', params: { blob: 'b'.repeat(64 * 1024) } })),
        );
        if (!parsed.ok || parsed.kind !== 'notification') throw new Error('not a notification');
        return parsed.message;
      };
      jest.useFakeTimers();
      try {
        let delivered = false;
        const written = large();
        const delivering = dispatcher.deliver(session, written).then(() => (delivered = true));
        await Promise.resolve();
        expect(delivered).toBe(false);
        writtenCallback(encodeMessageParts(written))?.();
        await delivering;

        // Taken and dropped (a group has no use for it): nothing to wait for.
        upstreams.shared.writesOn = false;
        await dispatcher.deliver(session, large());
      } finally {
        jest.useRealTimers();
      }
    });

    it('sends a session-isolated session’s requests to its own child, never the shared one', async () => {
      const { session } = await opened(isolated);
      const sessionOf = (s: ClientSession) => upstreams.dedicated.get(s.id);
      await dispatcher.request(session, isolated, request(3, MCP_METHODS.TOOLS_CALL, { name: 'echo' }), () => new RecordingSink());
      expect(sessionOf(session)?.forwarded.map((call) => call.request.id)).toEqual([0, 3]);
      expect(upstreams.shared.forwarded).toEqual([]);
    });
  });
});
