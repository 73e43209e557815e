import type { JsonRpcMessage, JsonRpcRequest, JsonRpcResponse } from '@mcp-proxy/mcp/protocol';
import { ClientSession, InFlight } from '../sessions/client-session';
import type { MessageSink } from '../sessions/message-sink';
import type { ServerIdentity } from '../upstream/upstream';
import type { GroupMember, MemberUpstream } from './group-members';
import { GroupUpstream } from './group-upstream';
import { compileFilter } from './name-filter';

/** A member that answers lists from a table and calls by echoing what reached it. */
class FakeMember implements MemberUpstream {
  identity: ServerIdentity = {
    protocolVersion: '2025-11-25',
    capabilities: { tools: {}, resources: {} },
    serverInfo: { name: 'fake', version: '1' },
  };
  readonly calls: JsonRpcRequest[] = [];
  readonly ready = Promise.resolve();
  hang = false;
  /** Tool names tool pinning holds back. */
  held: Set<string> | null = null;

  constructor(private readonly lists: Record<string, unknown>) {}

  async fetch(method: string): Promise<JsonRpcResponse> {
    if (this.hang) return new Promise(() => undefined);
    const result = this.lists[method];
    return result ? { jsonrpc: '2.0', id: 0, result } : { jsonrpc: '2.0', id: 0, error: { code: -32601, message: 'Method not found' } };
  }

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest): void {
    this.calls.push(request);
    const params = request.params as { uri?: string; name?: string };
    const result = params.uri
      ? { contents: [{ uri: params.uri, text: 'body' }] }
      : { content: [{ type: 'text', text: `${params.name} ran` }] };
    session.finish(entry, { jsonrpc: '2.0', id: request.id, result });
  }

  heldTools(): Set<string> | null {
    return this.held;
  }

  readonly notified: unknown[] = [];
  notify(_session: ClientSession, notification: unknown): boolean {
    this.notified.push(notification);
    return true;
  }
  answer(): boolean {
    return false;
  }
  release(): void {
    this.notified.push('released');
  }
}

class CollectingSink implements MessageSink {
  readonly streaming = true;
  readonly closed = false;
  readonly messages: JsonRpcMessage[] = [];
  send(message: JsonRpcMessage): boolean {
    this.messages.push(message);
    return true;
  }
}

const member = (serviceName: string, filter = {}, renames = {}): GroupMember => ({
  serviceId: `id-${serviceName}`,
  serviceName,
  allows: compileFilter(filter),
  renames,
});

describe('GroupUpstream', () => {
  const everything = new FakeMember({
    'tools/list': { tools: [{ name: 'echo', description: 'Echoes' }, { name: 'get-sum' }] },
    'resources/list': { resources: [{ uri: 'demo://doc', name: 'doc' }] },
    'resources/templates/list': { resourceTemplates: [{ uriTemplate: 'demo://item/{id}', name: 'item' }] },
  });
  const fixture = new FakeMember({ 'tools/list': { tools: [{ name: 'echo' }] } });
  const members = new Map<string, MemberUpstream | null>([
    ['id-everything', everything],
    ['id-fixture', fixture],
  ]);
  const source = { upstreamOf: (id: string) => members.get(id) ?? null, statusOf: () => 'crashed' };

  function group(filter = {}, fixtureMember = member('fixture'), toolSearch = false) {
    return new GroupUpstream(
      {
        id: 'g',
        name: 'tools',
        separator: '__',
        members: [member('everything'), fixtureMember],
        allows: compileFilter(filter),
        memberTimeoutMs: 200,
        toolSearch,
      },
      source,
      '1.0.0',
    );
  }

  async function ask(
    upstream: GroupUpstream,
    method: string,
    params: Record<string, unknown> = {},
    id = 1,
    listOnly = false,
  ): Promise<JsonRpcMessage> {
    const session = new ClientSession('s', 'g', 'admin', 'streamable-http', '2025-11-25');
    session.limitTo({ listOnly });
    const sink = new CollectingSink();
    const request: JsonRpcRequest = { jsonrpc: '2.0', id, method, params };
    const entry = session.begin(request, sink) as InFlight;
    upstream.forward(session, entry, request, 1000);
    for (let i = 0; i < 50 && sink.messages.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return sink.messages[0];
  }

  beforeEach(() => {
    everything.calls.length = 0;
    fixture.calls.length = 0;
    everything.hang = false;
    everything.held = null;
    members.set('id-fixture', fixture);
  });

  it("leaves a member's held tools out of the list, and still routes their calls to the member (which refuses them)", async () => {
    everything.held = new Set(['echo']);
    const upstream = group();
    const answer = (await ask(upstream, 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(answer.result.tools.map((tool) => tool.name).sort()).toEqual(['everything__get-sum', 'fixture__echo']);
    await ask(upstream, 'tools/call', { name: 'everything__echo', arguments: {} }, 2);
    expect(everything.calls.map((call) => (call.params as { name: string }).name)).toEqual(['echo']);
  });

  it('lists both echo tools under distinct, prefixed names', async () => {
    const answer = (await ask(group(), 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(answer.result.tools.map((tool) => tool.name)).toEqual(['everything__echo', 'everything__get-sum', 'fixture__echo']);
  });

  it('routes each call to its owner under the member’s own name', async () => {
    const upstream = group();
    await ask(upstream, 'tools/list');
    await ask(upstream, 'tools/call', { name: 'fixture__echo', arguments: { message: 'x' } });
    await ask(upstream, 'tools/call', { name: 'everything__echo', arguments: { message: 'y' } });
    expect(fixture.calls.map((call) => (call.params as { name: string }).name)).toEqual(['echo']);
    expect(everything.calls.map((call) => (call.params as { name: string }).name)).toEqual(['echo']);
  });

  it('answers with an error, never silence, when routing a call fails unexpectedly', async () => {
    const broken = new FakeMember({ 'tools/list': { tools: [{ name: 'echo' }] } });
    broken.forward = () => {
      throw new Error('member bug');
    };
    members.set('id-fixture', broken);
    const answer = (await ask(group(), 'tools/call', { name: 'fixture__echo', arguments: {} })) as {
      error: { code: number; message: string };
    };
    expect(answer.error).toEqual({ code: -32603, message: 'The group could not answer: Error: member bug' });
  });

  it('learns names on demand when a client calls without listing', async () => {
    const answer = (await ask(group(), 'tools/call', { name: 'everything__get-sum', arguments: {} })) as { result: unknown };
    expect(answer.result).toEqual({ content: [{ type: 'text', text: 'get-sum ran' }] });
  });

  it('applies the group filter to exposed names: filtered tools are invisible and uncallable', async () => {
    const upstream = group({ allow: ['everything__echo'] });
    const list = (await ask(upstream, 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(list.result.tools.map((tool) => tool.name)).toEqual(['everything__echo']);
    const refused = (await ask(upstream, 'tools/call', { name: 'fixture__echo' })) as { error: { code: number; message: string } };
    expect(refused.error).toMatchObject({ code: -32602, message: 'Unknown tool: fixture__echo' });
    expect(fixture.calls).toHaveLength(0);
  });

  it('applies member filters and renames on the member’s own names', async () => {
    const upstream = group({}, member('fixture', { deny: ['echo'] }));
    const list = (await ask(upstream, 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(list.result.tools.map((tool) => tool.name)).not.toContain('fixture__echo');
    const renamed = new GroupUpstream(
      {
        id: 'g',
        name: 'tools',
        separator: '__',
        members: [member('everything', {}, { echo: { name: 'say', description: 'Says it back' } })],
        allows: () => true,
        memberTimeoutMs: 200,
      },
      source,
      '1',
    );
    const tools = ((await ask(renamed, 'tools/list')) as { result: { tools: { name: string; description?: string }[] } }).result.tools;
    expect(tools[0]).toMatchObject({ name: 'everything__say', description: 'Says it back' });
    await ask(renamed, 'tools/call', { name: 'everything__say' });
    expect((everything.calls[0].params as { name: string }).name).toBe('echo');
  });

  it('fails open: a down member is left out of lists and its calls fail alone; a slow one is bounded', async () => {
    members.set('id-fixture', null);
    const upstream = group();
    const list = (await ask(upstream, 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(list.result.tools.map((tool) => tool.name)).toEqual(['everything__echo', 'everything__get-sum']);
    expect(upstream.health.get('id-fixture')).toMatchObject({ state: 'unavailable', reason: 'fixture is crashed' });

    everything.hang = true;
    members.set('id-fixture', fixture);
    const started = Date.now();
    const partial = (await ask(upstream, 'tools/list')) as { result: { tools: { name: string }[] } };
    expect(Date.now() - started).toBeLessThan(400);
    expect(partial.result.tools.map((tool) => tool.name)).toEqual(['fixture__echo']);
    expect(upstream.health.get('id-everything')?.state).toBe('timeout');
  });

  it('rewrites resource URIs and templates reversibly and reads through the owner', async () => {
    const upstream = group();
    const list = (await ask(upstream, 'resources/list')) as { result: { resources: { uri: string }[] } };
    const uri = list.result.resources[0].uri;
    expect(uri).toBe('mcp-group://everything/demo%3A%2F%2Fdoc');
    const read = (await ask(upstream, 'resources/read', { uri })) as { result: { contents: { uri: string }[] } };
    expect((everything.calls[0].params as { uri: string }).uri).toBe('demo://doc');
    expect(read.result.contents[0].uri).toBe(uri);
    const templates = (await ask(upstream, 'resources/templates/list')) as {
      result: { resourceTemplates: { uriTemplate: string; name: string }[] };
    };
    expect(templates.result.resourceTemplates[0]).toEqual({
      uriTemplate: 'mcp-group://everything/demo%3A%2F%2Fitem%2F{id}',
      name: 'everything__item',
    });
  });

  it('gives a list-only session (a named viewer) the lists and tool search, never a member’s tool, read or prompt', async () => {
    const upstream = group({}, member('fixture'), true);
    const listOnly = (method: string, params: Record<string, unknown> = {}) => ask(upstream, method, params, 1, true);
    const listed = (await listOnly('tools/list')) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);
    const found = (await listOnly('tools/call', { name: 'search_tools', arguments: { query: 'echo' } })) as { result?: unknown };
    expect(JSON.stringify(found.result)).toContain('everything__echo');
    const refused = [
      await listOnly('tools/call', { name: 'call_tool', arguments: { name: 'everything__echo', arguments: { message: 'x' } } }),
      await listOnly('tools/call', { name: 'fixture__echo', arguments: {} }),
      await listOnly('resources/read', { uri: 'mcp-group://everything/demo://doc' }),
      await listOnly('prompts/get', { name: 'everything__greeting' }),
    ] as { error?: { code: number; message: string } }[];
    for (const answer of refused) expect(answer.error?.message).toMatch(/refused: viewers may list but not call/);
    expect([...everything.calls, ...fixture.calls]).toEqual([]);
  });

  it('merges capabilities of the members that are up', () => {
    expect(group().identity.capabilities).toEqual({ tools: { listChanged: true }, resources: { listChanged: true } });
  });
});
