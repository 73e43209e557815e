import { parseMcpPath } from './mcp-path';

describe('parseMcpPath', () => {
  it.each([
    ['/mcp/everything', { kind: 'streamable', service: 'everything' }],
    ['/mcp/everything/', { kind: 'streamable', service: 'everything' }],
    ['/mcp/everything?x=1', { kind: 'streamable', service: 'everything' }],
    ['/mcp/everything/sse', { kind: 'legacy-sse', service: 'everything' }],
    ['/mcp/everything/messages?sessionId=abc', { kind: 'legacy-messages', service: 'everything', sessionId: 'abc' }],
    ['/mcp/everything/messages', { kind: 'legacy-messages', service: 'everything', sessionId: null }],
    ['/mcp/ws?service=everything&token=t', { kind: 'websocket', service: 'everything' }],
    ['/mcp/ws', { kind: 'websocket', service: null }],
    ['/mcp/2b1c5a0e-0000-4000-8000-000000000000', { kind: 'streamable', service: '2b1c5a0e-0000-4000-8000-000000000000' }],
  ])('%s', (url, expected) => {
    expect(parseMcpPath(url)).toEqual(expected);
  });

  it.each(['/mcp', '/mcp/', '/mcp/a/b/c', '/mcp/a/other', '/api/services', '/mcp/%E0%A4%A'])('%s is not an MCP endpoint', (url) => {
    expect(parseMcpPath(url)).toBeNull();
  });
});
