import { clientSnippets, endpointsFor } from './client-snippets';

const service = { name: 'everything', proxy: { path: '/mcp/everything' } };

function snippet(origin: string, id: string): { code: string; notes: string[] } {
  const found = clientSnippets(origin, service).find((item) => item.id === id);
  if (!found) throw new Error(id);
  return found;
}

describe('endpointsFor', () => {
  it.each([
    [
      'http://192.168.1.10:8437',
      {
        streamableHttp: 'http://192.168.1.10:8437/mcp/everything',
        legacySse: 'http://192.168.1.10:8437/mcp/everything/sse',
        websocket: 'ws://192.168.1.10:8437/mcp/ws?service=everything',
      },
    ],
    [
      'https://proxy.example.com/',
      {
        streamableHttp: 'https://proxy.example.com/mcp/everything',
        legacySse: 'https://proxy.example.com/mcp/everything/sse',
        websocket: 'wss://proxy.example.com/mcp/ws?service=everything',
      },
    ],
  ])('%s', (origin, expected) => expect(endpointsFor(origin, service)).toEqual(expected));

  it('names a group on the WebSocket endpoint with ?group=', () => {
    expect(endpointsFor('https://proxy.example.com', { name: 'team', proxy: { path: '/mcp/g/team' }, kind: 'group' })).toEqual({
      streamableHttp: 'https://proxy.example.com/mcp/g/team',
      legacySse: 'https://proxy.example.com/mcp/g/team/sse',
      websocket: 'wss://proxy.example.com/mcp/ws?group=team',
    });
  });

  it('uses a custom proxy path for HTTP and the name for the WebSocket', () => {
    expect(endpointsFor('http://localhost:8437', { name: 'weather', proxy: { path: '/mcp/wx' } })).toEqual({
      streamableHttp: 'http://localhost:8437/mcp/wx',
      legacySse: 'http://localhost:8437/mcp/wx/sse',
      websocket: 'ws://localhost:8437/mcp/ws?service=weather',
    });
  });
});

describe('clientSnippets', () => {
  it('offers Claude Desktop, Claude Code, Cursor, VS Code, Windsurf and curl; connectors only for OAuth services', () => {
    expect(clientSnippets('https://proxy.example.com', service).map((item) => item.id)).toEqual([
      'claude-desktop',
      'claude-code',
      'cursor',
      'vscode',
      'windsurf',
      'curl',
    ]);
    const oauth = { ...service, proxy: { ...service.proxy, auth: 'oauth' } };
    expect(clientSnippets('https://proxy.example.com', oauth).map((item) => item.id)).toContain('connector');
    expect(clientSnippets('https://proxy.example.com', oauth).find((item) => item.id === 'connector')?.code).toBe(
      'https://proxy.example.com/mcp/everything',
    );
  });

  it('bridges Claude Desktop through mcp-remote with the header from env', () => {
    const config = JSON.parse(snippet('https://proxy.example.com', 'claude-desktop').code);
    expect(config).toEqual({
      mcpServers: {
        everything: {
          command: 'npx',
          args: ['-y', 'mcp-remote', 'https://proxy.example.com/mcp/everything', '--header', 'Authorization:${MCP_PROXY_AUTH}'],
          env: { MCP_PROXY_AUTH: 'Bearer <your MCP_PROXY_TOKEN>' },
        },
      },
    });
  });

  it.each([
    ['http://192.168.1.10:8437', true],
    ['http://localhost:3437', false],
    ['http://127.0.0.1:3437', false],
    ['https://proxy.example.com', false],
  ])('adds --allow-http for %s: %s', (origin, expected) => {
    const config = JSON.parse(snippet(origin, 'claude-desktop').code);
    expect(config.mcpServers.everything.args.includes('--allow-http')).toBe(expected);
  });

  it('gives Cursor the URL and a header read from the environment', () => {
    expect(JSON.parse(snippet('https://proxy.example.com', 'cursor').code)).toEqual({
      mcpServers: {
        everything: {
          url: 'https://proxy.example.com/mcp/everything',
          headers: { Authorization: 'Bearer ${env:MCP_PROXY_TOKEN}' },
        },
      },
    });
  });

  it('gives VS Code an http server whose token is prompted for and kept secret', () => {
    expect(JSON.parse(snippet('https://proxy.example.com', 'vscode').code)).toEqual({
      inputs: [{ type: 'promptString', id: 'mcp-proxy-token', description: 'MCP Reverse Proxy client token', password: true }],
      servers: {
        everything: {
          type: 'http',
          url: 'https://proxy.example.com/mcp/everything',
          headers: { Authorization: 'Bearer ${input:mcp-proxy-token}' },
        },
      },
    });
  });

  it('gives Windsurf serverUrl and Claude Code its mcp add command', () => {
    expect(JSON.parse(snippet('https://proxy.example.com', 'windsurf').code).mcpServers.everything.serverUrl).toBe(
      'https://proxy.example.com/mcp/everything',
    );
    expect(snippet('https://proxy.example.com', 'claude-code').code).toBe(
      'claude mcp add --transport http everything https://proxy.example.com/mcp/everything --header "Authorization: Bearer $MCP_PROXY_TOKEN"',
    );
  });

  it('writes a token just created into every snippet but the connector', () => {
    const token = 'mcpt_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    for (const item of clientSnippets('https://proxy.example.com', service, token)) expect(item.code).toContain(`Bearer ${token}`);
    expect(JSON.parse(clientSnippets('https://proxy.example.com', service, token)[3].code)).toEqual({
      servers: {
        everything: { type: 'http', url: 'https://proxy.example.com/mcp/everything', headers: { Authorization: `Bearer ${token}` } },
      },
    });
  });

  it('never embeds a key when no token was given', () => {
    for (const item of clientSnippets('https://proxy.example.com', service)) {
      expect(item.code).not.toMatch(/Bearer [A-Za-z0-9]{16,}/);
    }
  });
});
