import { McpHttpClient, McpHttpError, McpRpcError } from './mcp-http-client';
import type { JsonRpcNotification } from './mcp-types';

interface Call {
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
}

/** A scripted server: each POST/DELETE takes the next reply. */
function fakeServer(replies: (() => Response)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([key, value]) => [key.toLowerCase(), value]),
    );
    calls.push({ method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? JSON.parse(init.body) : null });
    const reply = replies.shift();
    if (!reply) throw new Error('no reply scripted');
    return reply();
  }) as typeof fetch;
  return { fetch: fetchFn, calls };
}

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): (() => Response) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const accepted = (): (() => Response) => () => new Response(null, { status: 202 });
const sse =
  (...messages: unknown[]): (() => Response) =>
  () =>
    new Response(messages.map((message, index) => `id: e${index}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`).join(''), {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
    });

const INIT_RESULT = {
  protocolVersion: '2025-06-18',
  capabilities: { tools: {} },
  serverInfo: { name: 'mcp-servers/everything', version: '2.0.0' },
};

async function connected(replies: (() => Response)[], onNotification?: (n: JsonRpcNotification) => void) {
  const server = fakeServer([
    json({ jsonrpc: '2.0', id: 1, result: INIT_RESULT }, 200, { 'mcp-session-id': 'sess-1' }),
    accepted(),
    ...replies,
  ]);
  const client = new McpHttpClient({ url: '/mcp/everything', token: () => 'ui-token', fetch: server.fetch, onNotification });
  await client.connect();
  return { client, calls: server.calls };
}

describe('McpHttpClient', () => {
  it('initializes, keeps the session id and negotiated version, and confirms with notifications/initialized', async () => {
    const { client, calls } = await connected([]);

    expect(calls[0]).toEqual({
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer ui-token',
        'content-type': 'application/json',
        'x-requested-with': 'mcp-portal',
      },
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'mcp-reverse-proxy-admin', title: 'MCP Reverse Proxy admin (Try it)', version: '1.0.0' },
        },
      },
    });
    expect(calls[1]?.body).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(calls[1]?.headers['mcp-session-id']).toBe('sess-1');
    expect(calls[1]?.headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(client.session).toBe('sess-1');
    expect(client.negotiatedVersion).toBe('2025-06-18');
  });

  it('lists tools across pages', async () => {
    const { client, calls } = await connected([
      json({ jsonrpc: '2.0', id: 2, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' } }], nextCursor: 'p2' } }),
      json({ jsonrpc: '2.0', id: 3, result: { tools: [{ name: 'get-sum', inputSchema: { type: 'object' } }] } }),
    ]);
    const tools = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'get-sum']);
    expect(calls[2]?.body).toMatchObject({ method: 'tools/list', params: {} });
    expect(calls[3]?.body).toMatchObject({ method: 'tools/list', params: { cursor: 'p2' } });
    expect(calls[3]?.headers['mcp-session-id']).toBe('sess-1');
  });

  it('reads a streamed reply: progress goes to onNotification, server requests are refused, the result is returned', async () => {
    const notifications: JsonRpcNotification[] = [];
    const { client, calls } = await connected(
      [
        sse(
          { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'try-it-2', progress: 1, total: 2 } },
          { jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' },
          { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'Echo: hi' }] } },
        ),
        accepted(),
      ],
      (notification) => notifications.push(notification),
    );

    const result = await client.callTool('echo', { message: 'hi' });

    expect(result).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });
    expect(calls[2]?.body).toEqual({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'hi' }, _meta: { progressToken: 'try-it-2' } },
    });
    expect(notifications.map((item) => item.method)).toEqual(['notifications/progress']);
    await vi.waitFor(() => expect(calls[3]?.body).toMatchObject({ jsonrpc: '2.0', id: 'srv-1', error: { code: -32601 } }));
  });

  it('offers its capabilities and answers server requests through onRequest, a refusal as a JSON-RPC error', async () => {
    const server = fakeServer([
      json({ jsonrpc: '2.0', id: 1, result: INIT_RESULT }, 200, { 'mcp-session-id': 'sess-1' }),
      accepted(),
      sse(
        { jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: { messages: [] } },
        { jsonrpc: '2.0', id: 'srv-2', method: 'elicitation/create', params: { message: 'Name?' } },
        { jsonrpc: '2.0', id: 2, result: { content: [] } },
      ),
      accepted(),
      accepted(),
    ]);
    const client = new McpHttpClient({
      url: '/mcp/everything',
      token: () => 'ui-token',
      fetch: server.fetch,
      capabilities: { sampling: {}, elicitation: {} },
      onRequest: async (request) => {
        if (request.method === 'elicitation/create') throw new McpRpcError(-1, 'The user rejected it');
        return { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'person' };
      },
    });
    await client.connect();
    expect(server.calls[0]?.body).toMatchObject({ params: { capabilities: { sampling: {}, elicitation: {} } } });

    await client.callTool('trigger', {});

    await vi.waitFor(() => expect(server.calls.length).toBe(5));
    const replies = server.calls.slice(3).map((call) => call.body);
    expect(replies).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 'srv-1', result: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'person' } },
        { jsonrpc: '2.0', id: 'srv-2', error: { code: -1, message: 'The user rejected it' } },
      ]),
    );
  });

  it('throws the JSON-RPC error the server answers with', async () => {
    const { client } = await connected([json({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'Unknown tool: nope' } })]);
    const failure = client.callTool('nope', {});
    await expect(failure).rejects.toBeInstanceOf(McpRpcError);
    await expect(failure).rejects.toThrow('Unknown tool: nope');
  });

  it("reports the proxy's reason for an HTTP failure", async () => {
    const server = fakeServer([
      json({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Service "everything" is stopped' } }, 503),
    ]);
    const client = new McpHttpClient({ url: '/mcp/everything', token: () => 'ui-token', fetch: server.fetch });
    const failure = client.connect();
    await expect(failure).rejects.toBeInstanceOf(McpHttpError);
    await expect(failure).rejects.toThrow('HTTP 503: Service "everything" is stopped');
  });

  it('says the session ended when the proxy no longer knows it', async () => {
    const { client } = await connected([json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }, 404)]);
    await expect(client.listTools()).rejects.toThrow('The MCP session has ended (Session not found). Connect again.');
    expect(client.session).toBeNull();
  });

  it('says when the proxy cannot be reached', async () => {
    const client = new McpHttpClient({
      url: '/mcp/everything',
      token: () => 'ui-token',
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
    });
    await expect(client.connect()).rejects.toThrow('Cannot reach the proxy');
  });

  it('ends the session with DELETE', async () => {
    const { client, calls } = await connected([() => new Response(null, { status: 204 })]);
    await client.close();
    expect(calls[2]).toMatchObject({ method: 'DELETE', headers: { 'mcp-session-id': 'sess-1', authorization: 'Bearer ui-token' } });
    expect(client.session).toBeNull();
  });
});
