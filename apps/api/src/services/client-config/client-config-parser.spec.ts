import { ClientConfigError, fillInputs, parseClientConfig, serviceNameFor } from './client-config-parser';

function problemsOf(config: string | Record<string, unknown>): string[] {
  try {
    parseClientConfig(config);
  } catch (error) {
    if (error instanceof ClientConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseClientConfig', () => {
  it('reads Claude Desktop stdio entries and a Windsurf remote one', () => {
    const parsed = parseClientConfig({
      mcpServers: {
        Everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], env: { TOKEN: 'x' } },
        docs: { serverUrl: 'https://docs.example.com/mcp', headers: { Authorization: 'Bearer s' } },
        legacy: { type: 'sse', url: 'https://legacy.example.com/sse' },
      },
    });
    expect(parsed.format).toBe('mcpServers');
    expect(parsed.entries.map((entry) => [entry.name, entry.transport, entry.protocol])).toEqual([
      ['everything', 'stdio', 'streamable-http'],
      ['docs', 'remote', 'streamable-http'],
      ['legacy', 'remote', 'sse'],
    ]);
    expect(parsed.entries[0]).toMatchObject({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-everything'],
      env: { TOKEN: 'x' },
    });
    expect(parsed.entries[1]).toMatchObject({ url: 'https://docs.example.com/mcp', headers: { Authorization: 'Bearer s' } });
  });

  it('reads VS Code text with comments, trailing commas, servers and inputs', () => {
    const parsed = parseClientConfig(`{
      // VS Code's .vscode/mcp.json
      "inputs": [{ "type": "promptString", "id": "api-key", "description": "API key", "password": true },],
      "servers": {
        "github": { "type": "http", "url": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer \${input:api-key}" } },
        "local": { "type": "stdio", "command": "uvx", "args": ["mcp-server-time", "--zone=\${input:zone}"] },
      },
    }`);
    expect(parsed.format).toBe('servers');
    expect(parsed.inputs).toEqual([{ id: 'api-key', description: 'API key', secret: true, default: null }]);
    expect(parsed.entries.map((entry) => entry.variables)).toEqual([['api-key'], ['zone']]);
  });

  it('reads settings.json nesting (mcp.servers) and a bare map of entries', () => {
    expect(parseClientConfig({ mcp: { servers: { a: { command: 'x' } } } }).entries[0].name).toBe('a');
    expect(parseClientConfig({ b: { url: 'https://b.example.com/mcp' } }).entries[0].transport).toBe('remote');
  });

  it.each([
    ['not JSON', '{ "mcpServers": ', 'config is not valid JSON'],
    ['no server list', { other: 1 }, 'config must hold an "mcpServers" object'],
    ['an empty list', { mcpServers: {} }, 'config.mcpServers lists no server'],
    ['an entry without command or url', { mcpServers: { x: { env: {} } } }, 'config.mcpServers.x needs a "command"'],
    ['args not strings', { mcpServers: { x: { command: 'a', args: [{}] } } }, 'config.mcpServers.x.args must be a list of strings'],
    ['env not an object', { servers: { x: { command: 'a', env: [] } } }, 'config.servers.x.env must be an object of string values'],
    ['an unknown type', { mcpServers: { x: { url: 'https://a', type: 'grpc' } } }, 'config.mcpServers.x.type must be stdio, http or sse'],
    ['inputs not a list', { servers: { x: { command: 'a' } }, inputs: {} }, 'config.inputs must be a list'],
  ])('refuses %s, naming the field', (_case, config, message) => {
    expect(problemsOf(config as string | Record<string, unknown>).join('\n')).toContain(message);
  });
});

describe('serviceNameFor', () => {
  it.each([
    ['Everything', 'everything'],
    ['My Server (prod)', 'my-server-prod'],
    ['__', 'server'],
    ['all', 'all-server'],
  ])('%s → %s', (key, name) => expect(serviceNameFor(key)).toBe(name));
});

describe('fillInputs', () => {
  it('replaces given ids and leaves the others as written', () => {
    expect(fillInputs('Bearer ${input:key} ${input:other}', { key: 'k' })).toBe('Bearer k ${input:other}');
  });
});
