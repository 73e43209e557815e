import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectClient, textOf } from './support/mcp-clients';
import { RunningApp, registerService, startApp } from './support/running-app';

jest.setTimeout(90_000);

const MANY_TOOLS = join(__dirname, 'fixtures', 'many-tools-server.mjs');
const DOMAINS = ['crm', 'ops', 'docs'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'zu', 'ven', 'dor', 'bel', 'sin'];
/** The fixture's unique word of tool `index` of `domain` (many-tools-server.mjs). */
const codeWord = (domain: string, index: number) => `${SYLLABLES[index % 10]}${SYLLABLES[Math.floor(index / 10) % 10]}${domain}`;

interface FoundTool {
  name: string;
  description?: string;
  inputSchema?: { properties?: Record<string, unknown> };
}

function foundTools(result: unknown): FoundTool[] {
  return ((result as { structuredContent?: { tools?: FoundTool[] } }).structuredContent?.tools ?? []) as FoundTool[];
}

describe('tool search on a group of 300 tools (search_tools, call_tool)', () => {
  let running: RunningApp;
  let client: Client;

  beforeAll(async () => {
    running = await startApp();
    for (const domain of DOMAINS)
      await registerService(running, { name: domain, process: { command: process.execPath, args: [MANY_TOOLS, domain, '100'] } });
    await running
      .api()
      .post('/api/groups')
      .set('X-API-Key', running.env.apiKey)
      .send({ name: 'big', members: DOMAINS.map((service) => ({ service })), settings: { toolSearch: true } })
      .expect(201);
    client = await connectClient(running.baseUrl, 'g/big', running.env.apiKey, 'streamable');
  });

  afterAll(async () => {
    await client?.close();
    await running?.close();
  });

  it('lists only the two meta-tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);
    expect(tools[0].inputSchema.required).toEqual(['query']);
  });

  it('finds a tool by a word of its description, with its input schema', async () => {
    const result = await client.callTool({ name: 'search_tools', arguments: { query: codeWord('ops', 42), limit: 5 } });
    const tools = foundTools(result);
    expect(tools[0]).toMatchObject({ name: 'ops__tool_42', description: expect.stringContaining('in the ops system') });
    expect(tools[0].inputSchema?.properties).toHaveProperty('value');
    expect(JSON.parse(textOf(result)).tools[0].name).toBe('ops__tool_42');
  });

  it('ranks by every word of the query and honours the limit', async () => {
    const tools = foundTools(await client.callTool({ name: 'search_tools', arguments: { query: 'archive invoices docs', limit: 3 } }));
    expect(tools).toHaveLength(3);
    // Tools 4 and 74 of docs archive invoices: both words and the domain match.
    expect(
      tools
        .slice(0, 2)
        .map((tool) => tool.name)
        .sort(),
    ).toEqual(['docs__tool_4', 'docs__tool_74']);
  });

  it('runs the found tool with call_tool, through the member', async () => {
    const result = await client.callTool({ name: 'call_tool', arguments: { name: 'ops__tool_42', arguments: { value: 'from search' } } });
    expect(textOf(result)).toBe('ops tool 42 ran with from search');
  });

  it('answers bad arguments with a JSON-RPC error that says what is missing', async () => {
    await expect(client.callTool({ name: 'search_tools', arguments: {} })).rejects.toThrow(/search_tools needs arguments.query/);
    await expect(client.callTool({ name: 'call_tool', arguments: { name: 'ops__tool_999' } })).rejects.toThrow(
      /Unknown tool: ops__tool_999/,
    );
  });

  it("applies a client token's tool allow-list to what search_tools finds and what call_tool runs", async () => {
    const mint = async (tools: string[]): Promise<string> =>
      (
        await running
          .api()
          .post('/api/client-tokens')
          .set('X-API-Key', running.env.apiKey)
          .send({ label: `docs ${tools.length}`, services: ['g/big'], tools })
          .expect(201)
      ).body.token;
    // A list naming the meta-tools too, and one naming only the tools: both reach only docs tools.
    for (const token of [await mint(['search_tools', 'call_tool', 'docs__*']), await mint(['docs__*'])]) {
      const limited = await connectClient(running.baseUrl, 'g/big', token, 'streamable');
      try {
        expect((await limited.listTools()).tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);
        const outside = foundTools(await limited.callTool({ name: 'search_tools', arguments: { query: codeWord('ops', 42), limit: 50 } }));
        expect(outside.map((tool) => tool.name)).toEqual([]);
        const mixed = foundTools(
          await limited.callTool({ name: 'search_tools', arguments: { query: 'archive invoices docs ops crm', limit: 50 } }),
        );
        expect(mixed.length).toBeGreaterThan(0);
        expect(mixed.filter((tool) => !tool.name.startsWith('docs__'))).toEqual([]);

        await expect(
          limited.callTool({ name: 'call_tool', arguments: { name: 'ops__tool_42', arguments: { value: 'sneaked' } } }),
        ).rejects.toThrow(/not allowed/);
        await expect(limited.callTool({ name: 'ops__tool_42', arguments: { value: 'direct' } })).rejects.toThrow(/not allowed/);
        expect(
          textOf(await limited.callTool({ name: 'call_tool', arguments: { name: 'docs__tool_4', arguments: { value: 'allowed' } } })),
        ).toBe('docs tool 4 ran with allowed');
      } finally {
        await limited.close();
      }
    }
  });

  it('lets a viewer signed in to the portal search the group but not run a tool: not with call_tool, not directly, not through /mcp', async () => {
    const password = 'correct horse battery';
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'vera', password, role: 'viewer' })
      .expect(201);
    const token = (await running.api().post('/api/auth/login').send({ username: 'vera', password }).expect(201)).body.token as string;
    const refusal = /tools\/call refused: viewers may list but not call/;
    const viewer = await connectClient(running.baseUrl, 'g/big', token, 'websocket');
    try {
      expect((await viewer.listTools()).tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);
      const found = foundTools(await viewer.callTool({ name: 'search_tools', arguments: { query: codeWord('ops', 42), limit: 1 } }));
      expect(found.map((tool) => tool.name)).toEqual(['ops__tool_42']);
      await expect(viewer.callTool({ name: 'call_tool', arguments: { name: 'ops__tool_42', arguments: { value: 'x' } } })).rejects.toThrow(
        refusal,
      );
      await expect(viewer.callTool({ name: 'ops__tool_42', arguments: { value: 'direct' } })).rejects.toThrow(refusal);
    } finally {
      await viewer.close();
    }
    // `/mcp`, every service: the same.
    const everywhere = await connectClient(running.baseUrl, '', token, 'streamable');
    try {
      expect((await everywhere.listTools()).tools.map((tool) => tool.name)).toContain('ops__tool_42');
      await expect(everywhere.callTool({ name: 'ops__tool_42', arguments: { value: 'all' } })).rejects.toThrow(refusal);
    } finally {
      await everywhere.close();
    }
  });

  it('searches 300 tools quickly (measured through the proxy)', async () => {
    const timings: number[] = [];
    for (let index = 0; index < 30; index++) {
      const domain = DOMAINS[index % 3];
      const started = performance.now();
      const tools = foundTools(await client.callTool({ name: 'search_tools', arguments: { query: codeWord(domain, index * 3) } }));
      timings.push(performance.now() - started);
      expect(tools[0].name).toBe(`${domain}__tool_${index * 3}`);
    }
    timings.sort((a, b) => a - b);
    const median = timings[Math.floor(timings.length / 2)];
    const p95 = timings[Math.floor(timings.length * 0.95)];
    process.stdout.write(
      `search_tools over 300 tools, round trip through the proxy: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms\n`,
    );
    expect(median).toBeLessThan(500);
  });

  it('lists all 300 tools again when tool search is turned off', async () => {
    await running
      .api()
      .patch('/api/groups/big')
      .set('X-API-Key', running.env.apiKey)
      .send({ settings: { toolSearch: false } })
      .expect(200);
    const fresh = await connectClient(running.baseUrl, 'g/big', running.env.apiKey, 'streamable');
    try {
      const names = (await fresh.listTools()).tools.map((tool) => tool.name);
      expect(names).toHaveLength(300);
      expect(names).not.toContain('search_tools');
    } finally {
      await fresh.close();
    }
  });
});
