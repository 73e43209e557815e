import {
  INTERNAL_ERROR,
  JsonRpcMessage,
  JsonRpcRequest,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  REQUEST_TIMEOUT,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import { ClientSession, InFlight } from '../sessions/client-session';
import { FakeChild, IDENTITY, RecordingSink, until } from '../testing/fakes';
import { CacheSettings, SharedUpstream } from './shared-upstream';

const children: FakeChild[] = [];

/** One shared child, several client sessions of its service, each request answered on a sink of its own. */
function setup(options: { cache?: Partial<CacheSettings> } = {}) {
  const child = new FakeChild();
  children.push(child);
  const sessions: ClientSession[] = [];
  const upstream = new SharedUpstream({
    peer: child.peer,
    serviceId: 'svc-1',
    serviceName: 'notes',
    sessions: () => sessions,
    cacheSettings: () => ({ lists: false, toolResultTtlMs: 0, ...options.cache }),
    clientInfo: { name: 'mcp-reverse-proxy', version: 'test' },
    initializeTimeoutMs: 1000,
  });
  const open = (id: string, streamOpen = false): ClientSession => {
    const session = new ClientSession(id, 'svc-1', `principal-${id}`, 'streamable-http', LATEST_INITIALIZE_PROTOCOL_VERSION);
    if (streamOpen) session.standalone = new RecordingSink();
    sessions.push(session);
    return session;
  };
  /** A client request as a transport hands it over: begun in the session, answered on `sink`. */
  const call = (session: ClientSession, request: Omit<JsonRpcRequest, 'jsonrpc'>, sink = new RecordingSink(), timeoutMs = 1000) => {
    const full: JsonRpcRequest = { jsonrpc: '2.0', ...request };
    const entry = session.begin(full, sink) as InFlight;
    upstream.forward(session, entry, full, timeoutMs);
    return { sink, entry };
  };
  return { child, upstream, open, call };
}

async function ready(child: FakeChild, upstream: SharedUpstream, tools: unknown[] = []): Promise<void> {
  await child.completeInitialize(IDENTITY, tools);
  await upstream.ready;
  child.received.length = 0;
}

const toolCall = (id: number | string, name = 'echo', meta?: Record<string, unknown>) => ({
  id,
  method: MCP_METHODS.TOOLS_CALL,
  params: { name, arguments: { text: `from ${String(id)}` }, ...(meta ? { _meta: meta } : {}) },
});

const streamOf = (session: ClientSession): RecordingSink => session.standalone as RecordingSink;

describe('SharedUpstream', () => {
  // Calls left waiting hold their time-outs; a dead child settles them.
  afterEach(() => children.splice(0).forEach((child) => child.die()));

  it('initializes the child once, as the proxy, and then tells it initialized', async () => {
    const { child, upstream } = setup();
    const initialize = await child.request(MCP_METHODS.INITIALIZE);
    expect(initialize.params).toMatchObject({
      protocolVersion: LATEST_INITIALIZE_PROTOCOL_VERSION,
      clientInfo: { name: 'mcp-reverse-proxy' },
      capabilities: { sampling: {}, roots: { listChanged: true } },
    });
    child.reply(initialize.id, IDENTITY);
    await expect(upstream.ready).resolves.toEqual(IDENTITY);
    expect(upstream.identity).toEqual(IDENTITY);
    expect(child.notifications(MCP_METHODS.INITIALIZED)).toHaveLength(1);
  });

  it('reports a child that refuses initialize to whoever waits for it', async () => {
    const { child, upstream } = setup();
    const initialize = await child.request(MCP_METHODS.INITIALIZE);
    child.replyError(initialize.id, -32602, 'unsupported protocol version');
    await expect(upstream.ready).rejects.toThrow('unsupported protocol version');
    expect(child.notifications(MCP_METHODS.INITIALIZED)).toHaveLength(0);
  });

  it('gives two clients using the same request id distinct ids at the child, and each its own answer back', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const alice = call(open('alice'), toolCall(1));
    const bob = call(open('bob'), toolCall(1));

    const [toAlice, toBob] = [await child.request(MCP_METHODS.TOOLS_CALL, 0), await child.request(MCP_METHODS.TOOLS_CALL, 1)];
    expect(toAlice.id).not.toEqual(toBob.id);
    expect(toAlice.params).toMatchObject({ arguments: { text: 'from 1' } });
    // Answered in the other order: each answer still reaches its own caller, under the caller's id.
    child.reply(toBob.id, { content: [{ type: 'text', text: 'for bob' }] });
    child.reply(toAlice.id, { content: [{ type: 'text', text: 'for alice' }] });

    expect(await bob.sink.received(1)).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'for bob' }] } }]);
    expect(await alice.sink.received(1)).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'for alice' }] } }]);
    expect(upstream.inflight).toBe(0);
  });

  it('relays an error answer untouched but for the id', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const { sink } = call(open('alice'), toolCall('req-7', 'missing'));
    child.replyError((await child.request(MCP_METHODS.TOOLS_CALL)).id, -32602, 'Unknown tool: missing');
    expect(await sink.received(1)).toEqual([{ jsonrpc: '2.0', id: 'req-7', error: { code: -32602, message: 'Unknown tool: missing' } }]);
  });

  it('rewrites progress tokens on the way up and restores each client’s own on the way down', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const alice = call(open('alice'), toolCall(1, 'slow', { progressToken: 'tok' }));
    const bob = call(open('bob'), toolCall(1, 'slow', { progressToken: 'tok' }));
    const toAlice = await child.request(MCP_METHODS.TOOLS_CALL, 0);
    const toBob = await child.request(MCP_METHODS.TOOLS_CALL, 1);
    const tokenOf = (request: JsonRpcRequest) => (request.params as { _meta: { progressToken: unknown } })._meta.progressToken;
    expect(tokenOf(toAlice)).not.toEqual(tokenOf(toBob));
    expect(tokenOf(toAlice)).not.toEqual('tok');

    child.say({ jsonrpc: '2.0', method: MCP_METHODS.PROGRESS, params: { progressToken: tokenOf(toBob), progress: 1, total: 2 } });
    // A token the proxy never handed out reaches nobody.
    child.say({ jsonrpc: '2.0', method: MCP_METHODS.PROGRESS, params: { progressToken: 'tok', progress: 9 } });
    expect(await bob.sink.received(1)).toEqual([
      { jsonrpc: '2.0', method: MCP_METHODS.PROGRESS, params: { progressToken: 'tok', progress: 1, total: 2 } },
    ]);
    expect(alice.sink.messages).toEqual([]);
  });

  it('cancels a call at the child under the child’s id, and drops the late answer', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const alice = open('alice');
    const cancelled = call(alice, toolCall(1, 'slow'));
    const kept = call(open('bob'), toolCall(1, 'slow'));
    const toAlice = await child.request(MCP_METHODS.TOOLS_CALL, 0);
    const toBob = await child.request(MCP_METHODS.TOOLS_CALL, 1);

    upstream.notify(alice, { jsonrpc: '2.0', method: MCP_METHODS.CANCELLED, params: { requestId: 1, reason: 'user pressed stop' } });
    expect(child.notifications(MCP_METHODS.CANCELLED)).toEqual([
      { jsonrpc: '2.0', method: MCP_METHODS.CANCELLED, params: { requestId: toAlice.id, reason: 'Cancelled by the client' } },
    ]);
    child.reply(toAlice.id, { content: [] });
    child.reply(toBob.id, { content: [{ type: 'text', text: 'done' }] });

    await kept.sink.received(1);
    expect(cancelled.sink.messages).toEqual([]);
    expect(alice.inflightCount).toBe(0);
  });

  it('ignores a cancellation naming a request the session does not have (another session’s, say)', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const bobCall = call(open('bob'), toolCall(5));
    upstream.notify(open('mallory'), { jsonrpc: '2.0', method: MCP_METHODS.CANCELLED, params: { requestId: 5 } });
    expect(child.notifications(MCP_METHODS.CANCELLED)).toEqual([]);
    child.reply((await child.request(MCP_METHODS.TOOLS_CALL)).id, { content: [] });
    expect(await bobCall.sink.received(1)).toMatchObject([{ id: 5, result: { content: [] } }]);
  });

  it('fails every pending call of every session at once, each under its own id, when the child dies', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const calls = [call(open('alice'), toolCall(1)), call(open('bob'), toolCall('b-1')), call(open('carol'), toolCall(3))];
    await child.request(MCP_METHODS.TOOLS_CALL, 2);

    child.die('killed: memory limit 256 MB exceeded');
    for (const [index, id] of [1, 'b-1', 3].entries()) {
      expect(await calls[index].sink.received(1)).toEqual([
        {
          jsonrpc: '2.0',
          id,
          error: { code: SERVER_UNAVAILABLE, message: 'MCP server "fake" exited (killed: memory limit 256 MB exceeded)' },
        },
      ]);
    }
    expect(upstream.inflight).toBe(0);
  });

  it('answers a call the child never answers with REQUEST_TIMEOUT', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const { sink } = call(open('alice'), toolCall(1, 'hangs'), new RecordingSink(), 20);
    expect(await sink.received(1)).toMatchObject([{ id: 1, error: { code: REQUEST_TIMEOUT } }]);
  });

  it('does not forward the client’s notifications/initialized (the proxy initialized the child), but other notifications', async () => {
    const { child, upstream, open } = setup();
    await ready(child, upstream);
    const alice = open('alice');
    upstream.notify(alice, { jsonrpc: '2.0', method: MCP_METHODS.INITIALIZED });
    upstream.notify(alice, { jsonrpc: '2.0', method: MCP_METHODS.ROOTS_LIST_CHANGED });
    expect(child.received).toEqual([{ jsonrpc: '2.0', method: MCP_METHODS.ROOTS_LIST_CHANGED }]);
  });

  describe('messages from the child that are not answers', () => {
    it('sends list_changed to every session of the service', async () => {
      const { child, upstream, open } = setup();
      await ready(child, upstream);
      const sessions = [open('alice', true), open('bob', true)];
      child.say({ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED });
      for (const session of sessions)
        expect(streamOf(session).messages).toEqual([{ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED }]);
    });

    it('sends a log message to the one session with a call in flight, on that call’s stream', async () => {
      const { child, upstream, open, call } = setup();
      await ready(child, upstream);
      const idle = open('idle', true);
      const { sink } = call(open('alice', true), toolCall(1));
      await child.request(MCP_METHODS.TOOLS_CALL);
      const log: JsonRpcMessage = { jsonrpc: '2.0', method: MCP_METHODS.LOG_MESSAGE, params: { level: 'info', data: 'working' } };
      child.say(log);
      expect(sink.messages).toEqual([log]);
      expect(streamOf(idle).messages).toEqual([]);
    });

    it('sends resources/updated only to the sessions subscribed to that URI', async () => {
      const { child, upstream, open, call } = setup();
      await ready(child, upstream);
      const subscriber = open('alice', true);
      const other = open('bob', true);
      call(subscriber, { id: 1, method: MCP_METHODS.RESOURCES_SUBSCRIBE, params: { uri: 'note://1' } });
      child.reply((await child.request(MCP_METHODS.RESOURCES_SUBSCRIBE)).id, {});
      const updated: JsonRpcMessage = { jsonrpc: '2.0', method: MCP_METHODS.RESOURCES_UPDATED, params: { uri: 'note://1' } };
      child.say(updated);
      expect(streamOf(subscriber).messages).toEqual([updated]);
      expect(streamOf(other).messages).toEqual([]);
    });

    it('answers the child’s ping itself', async () => {
      const { child, upstream } = setup();
      await ready(child, upstream);
      child.say({ jsonrpc: '2.0', id: 'ping-1', method: MCP_METHODS.PING });
      expect(child.responses()).toEqual([{ jsonrpc: '2.0', id: 'ping-1', result: {} }]);
    });

    it('routes a sampling request to the only caller under an id of its own, and the caller’s answer back under the child’s id', async () => {
      const { child, upstream, open, call } = setup();
      await ready(child, upstream);
      const alice = open('alice', true);
      const { sink } = call(alice, toolCall(1, 'summarize'));
      await child.request(MCP_METHODS.TOOLS_CALL);

      child.say({ jsonrpc: '2.0', id: 77, method: MCP_METHODS.SAMPLING_CREATE_MESSAGE, params: { messages: [] } });
      const [asked] = (await sink.received(1)) as JsonRpcRequest[];
      expect(asked).toMatchObject({ method: MCP_METHODS.SAMPLING_CREATE_MESSAGE });
      expect(asked.id).not.toEqual(77);

      // Another session cannot answer it; the one that was asked can, once.
      expect(upstream.answer(open('mallory'), { jsonrpc: '2.0', id: asked.id, result: { content: 'forged' } })).toBe(false);
      expect(upstream.answer(alice, { jsonrpc: '2.0', id: asked.id, result: { content: 'hi' } })).toBe(true);
      expect(upstream.answer(alice, { jsonrpc: '2.0', id: asked.id, result: { content: 'again' } })).toBe(false);
      expect(child.responses()).toEqual([{ jsonrpc: '2.0', id: 77, result: { content: 'hi' } }]);
    });

    it('refuses a sampling request when two sessions have calls in flight (no guessing whose it is)', async () => {
      const { child, upstream, open, call } = setup();
      await ready(child, upstream);
      const calls = [call(open('alice', true), toolCall(1)), call(open('bob', true), toolCall(1))];
      await child.request(MCP_METHODS.TOOLS_CALL, 1);
      child.say({ jsonrpc: '2.0', id: 78, method: MCP_METHODS.SAMPLING_CREATE_MESSAGE, params: { messages: [] } });
      expect(child.responses()).toMatchObject([{ id: 78, error: { code: INTERNAL_ERROR } }]);
      for (const { sink } of calls) expect(sink.messages).toEqual([]);
    });

    it('answers roots/list with no roots when the caller did not declare roots', async () => {
      const { child, upstream } = setup();
      await ready(child, upstream);
      child.say({ jsonrpc: '2.0', id: 'r', method: MCP_METHODS.ROOTS_LIST });
      expect(child.responses()).toEqual([{ jsonrpc: '2.0', id: 'r', result: { roots: [] } }]);
    });
  });

  it('on release, cancels the session’s calls at the child and answers its open server requests with an error', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const alice = open('alice', true);
    call(alice, toolCall(1, 'summarize'));
    const toChild = await child.request(MCP_METHODS.TOOLS_CALL);
    child.say({ jsonrpc: '2.0', id: 90, method: MCP_METHODS.ELICITATION_CREATE, params: {} });

    upstream.release(alice);
    expect(child.notifications(MCP_METHODS.CANCELLED)).toMatchObject([{ params: { requestId: toChild.id } }]);
    expect(child.responses()).toMatchObject([{ id: 90, error: { code: INTERNAL_ERROR, message: 'The client session ended' } }]);
    expect(alice.inflightCount).toBe(0);
  });

  describe('list cache', () => {
    it('answers tools/list from the list the proxy fetched at start, when caching is on', async () => {
      const { child, upstream, open, call } = setup({ cache: { lists: true } });
      await ready(child, upstream, [{ name: 'echo' }]);
      const { sink } = call(open('alice'), { id: 1, method: MCP_METHODS.TOOLS_LIST, params: {} });
      expect(await sink.received(1)).toEqual([{ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'echo' }] } }]);
      expect(child.requests(MCP_METHODS.TOOLS_LIST)).toEqual([]);
    });

    it('asks the child again after it says the list changed, and every time when caching is off', async () => {
      const cached = setup({ cache: { lists: true } });
      await ready(cached.child, cached.upstream, [{ name: 'echo' }]);
      cached.child.say({ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED });
      cached.call(cached.open('alice'), { id: 1, method: MCP_METHODS.TOOLS_LIST, params: {} });
      await cached.child.request(MCP_METHODS.TOOLS_LIST);

      const uncached = setup();
      await ready(uncached.child, uncached.upstream, [{ name: 'echo' }]);
      uncached.call(uncached.open('alice'), { id: 1, method: MCP_METHODS.TOOLS_LIST, params: {} });
      await uncached.child.request(MCP_METHODS.TOOLS_LIST);
    });
  });

  it('never leaks one session’s answer to another, over many interleaved calls', async () => {
    const { child, upstream, open, call } = setup();
    await ready(child, upstream);
    const sessions = ['a', 'b', 'c'].map((id) => open(id));
    const asked = (session: ClientSession, id: number) => ({
      id,
      method: MCP_METHODS.TOOLS_CALL,
      params: { name: 'echo', arguments: { text: `${session.id}/${id}` } },
    });
    const calls = sessions.flatMap((session) => [1, 2, 3].map((id) => ({ session, ...call(session, asked(session, id)) })));
    await until(() => child.requests(MCP_METHODS.TOOLS_CALL).length === calls.length, 'every call at the child');
    // The child echoes what it was asked, in reverse order.
    for (const request of [...child.requests(MCP_METHODS.TOOLS_CALL)].reverse()) {
      child.reply(request.id, { echoed: (request.params as { arguments: unknown }).arguments });
    }
    for (const { session, sink, entry } of calls) {
      expect(await sink.received(1)).toEqual([
        { jsonrpc: '2.0', id: entry.clientId, result: { echoed: { text: `${session.id}/${String(entry.clientId)}` } } },
      ]);
      expect(session.inflightCount).toBe(0);
    }
    // Each session's calls went out once, and the answers are told apart only by the proxy's ids.
    expect(new Set(child.requests(MCP_METHODS.TOOLS_CALL).map((request) => request.id)).size).toBe(calls.length);
  });
});
