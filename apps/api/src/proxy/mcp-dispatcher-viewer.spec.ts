import { INVALID_REQUEST, LATEST_INITIALIZE_PROTOCOL_VERSION, MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import { fakePrincipal, fakeRoute, RecordingSink } from './testing/fakes';
import { initializeRequest as initialize, rpcRequest as request, sharedRoute as shared, useDispatcher } from './testing/dispatcher-fixture';

describe('McpDispatcher', () => {
  const fixture = useDispatcher();
  const opened = fixture.opened;

  describe('a named viewer: lists, never calls', () => {
    const viewer = fakePrincipal({ kind: 'user', id: 'user:vera', role: 'viewer' });
    const refusedWith = (id: number, method: string) => ({
      jsonrpc: '2.0',
      id,
      error: { code: INVALID_REQUEST, message: `${method} refused: viewers may list but not call: ask an operator or use a client token` },
    });

    it.each([MCP_METHODS.TOOLS_LIST, MCP_METHODS.RESOURCES_LIST, MCP_METHODS.RESOURCES_TEMPLATES_LIST, MCP_METHODS.PROMPTS_LIST])(
      'forwards %s',
      async (method) => {
        const { session } = await opened(shared, initialize(), viewer);
        const sink = new RecordingSink(false);
        await fixture.dispatcher.request(session, shared, request(1, method), () => sink);
        expect(sink.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: { echoed: method } }]);
        expect(fixture.refusals).toEqual([]);
      },
    );

    it.each([
      [MCP_METHODS.TOOLS_CALL, { name: 'echo', arguments: { message: 'hi' } }],
      [MCP_METHODS.RESOURCES_READ, { uri: 'file:///etc/hosts' }],
      [MCP_METHODS.RESOURCES_SUBSCRIBE, { uri: 'file:///etc/hosts' }],
      [MCP_METHODS.PROMPTS_GET, { name: 'greeting' }],
      [MCP_METHODS.COMPLETION_COMPLETE, { ref: { type: 'ref/prompt', name: 'greeting' }, argument: { name: 'a', value: 'b' } }],
      [MCP_METHODS.LOGGING_SET_LEVEL, { level: 'debug' }],
      ['acme/launch', {}],
    ])('refuses %s without the upstream, and audits it', async (method, params) => {
      const { session } = await opened(shared, initialize(), viewer);
      const sink = new RecordingSink(false);
      await fixture.dispatcher.request(session, shared, request(2, method, params), () => sink);
      expect(sink.messages).toEqual([refusedWith(2, method)]);
      expect(fixture.upstreams.shared.forwarded).toEqual([]);
      expect(fixture.refusals).toEqual([
        expect.objectContaining({ status: 403, method, path: '/mcp/notes', actor: { id: 'user:vera', kind: 'user' } }),
      ]);
    });

    it('on a group with tool search, lets search_tools list and refuses call_tool, which runs a tool', async () => {
      const group = fakeRoute({
        id: 'grp-1',
        name: 'kit',
        kind: 'group',
        proxy: { path: '/mcp/g/kit' },
        group: { separator: '__', members: [], allow: [], deny: [], memberTimeoutMs: 1000, toolSearch: true },
      });
      const { session } = await opened(group, initialize(), viewer);
      const sink = new RecordingSink(false);
      await fixture.dispatcher.request(
        session,
        group,
        request(3, MCP_METHODS.TOOLS_CALL, { name: 'search_tools', arguments: { query: 'echo' } }),
        () => sink,
      );
      await fixture.dispatcher.request(
        session,
        group,
        request(4, MCP_METHODS.TOOLS_CALL, { name: 'call_tool', arguments: { name: 'notes__echo', arguments: {} } }),
        () => sink,
      );
      expect(fixture.upstreams.shared.forwarded.map((call) => call.request.id)).toEqual([3]);
      expect(sink.messages).toEqual([
        { jsonrpc: '2.0', id: 3, result: { echoed: MCP_METHODS.TOOLS_CALL } },
        refusedWith(4, MCP_METHODS.TOOLS_CALL),
      ]);
      expect(fixture.refusals).toEqual([expect.objectContaining({ reason: expect.stringContaining('"call_tool"') })]);
    });

    it.each([
      ['an operator', fakePrincipal({ kind: 'user', id: 'user:otto', role: 'operator' })],
      ['an admin user', fakePrincipal({ kind: 'user', id: 'user:ada', role: 'admin' })],
      ['the API key', fakePrincipal({ kind: 'admin', id: 'admin', role: 'admin' })],
      ['a UI session of the API key', fakePrincipal({ kind: 'session', id: 'session:1', role: 'admin' })],
      // Client tokens and OAuth grants carry the role viewer only to keep them off the management API.
      ['a client token', fakePrincipal({ kind: 'client', id: 'client:bot', role: 'viewer' })],
    ])('lets %s call as before', async (_who, principal) => {
      const { session } = await opened(shared, initialize(), principal);
      await fixture.dispatcher.request(session, shared, request(5, MCP_METHODS.TOOLS_CALL, { name: 'echo' }), () => new RecordingSink());
      expect(fixture.upstreams.shared.forwarded).toHaveLength(1);
      expect(fixture.refusals).toEqual([]);
    });

    it('holds on WebSocket and legacy SSE sessions, which exist before initialize', async () => {
      for (const transport of ['websocket', 'legacy-sse'] as const) {
        const session = fixture.dispatcher.createSession(shared, viewer, transport, LATEST_INITIALIZE_PROTOCOL_VERSION);
        await fixture.dispatcher.prepare(shared, session, initialize());
        const sink = new RecordingSink(false);
        await fixture.dispatcher.request(session, shared, request(6, MCP_METHODS.TOOLS_CALL, { name: 'echo' }), () => sink);
        expect(sink.messages).toEqual([refusedWith(6, MCP_METHODS.TOOLS_CALL)]);
      }
      expect(fixture.upstreams.shared.forwarded).toEqual([]);
    });
  });
});
