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
  it('offers Claude Desktop, Cursor, VS Code and curl', () => {
    expect(clientSnippets('https://proxy.example.com', service).map((item) => item.id)).toEqual([
      'claude-desktop',
      'cursor',
      'vscode',
      'curl',
    ]);
  });

  it('bridges Claude Desktop through mcp-remote with the header from env', () => {
    const config = JSON.parse(snippet('https://proxy.example.com', 'claude-desktop').code);
    expect(config).toEqual({
      mcpServers: {
        everything: {
          command: 'npx',
          args: ['-y', 'mcp-remote', 'https://proxy.example.com/mcp/everything', '--header', 'Authorization:${MCP_PROXY_AUTH}'],
          env: { MCP_PROXY_AUTH: 'Bearer <your MCP_PROXY_KEY>' },
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
          headers: { Authorization: 'Bearer ${env:MCP_PROXY_KEY}' },
        },
      },
    });
  });

  it('gives VS Code an http server whose key is prompted for and kept secret', () => {
    expect(JSON.parse(snippet('https://proxy.example.com', 'vscode').code)).toEqual({
      inputs: [{ type: 'promptString', id: 'mcp-proxy-key', description: 'MCP Reverse Proxy API key', password: true }],
      servers: {
        everything: {
          type: 'http',
          url: 'https://proxy.example.com/mcp/everything',
          headers: { Authorization: 'Bearer ${input:mcp-proxy-key}' },
        },
      },
    });
  });

  it('never embeds a key', () => {
    for (const item of clientSnippets('https://proxy.example.com', service)) {
      expect(item.code).not.toMatch(/Bearer [A-Za-z0-9]{16,}/);
    }
  });
});
