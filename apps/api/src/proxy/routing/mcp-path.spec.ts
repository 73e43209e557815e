import { parseMcpPath } from './mcp-path';

describe('parseMcpPath', () => {
  it.each([
    ['/mcp/everything', { kind: 'streamable', service: 'everything', rest: '' }],
    ['/mcp/everything/', { kind: 'streamable', service: 'everything', rest: '/' }],
    ['/mcp/everything?x=1', { kind: 'streamable', service: 'everything', rest: '?x=1' }],
    ['/mcp/everything/sse', { kind: 'legacy-sse', service: 'everything', rest: '/sse' }],
    ['/mcp/everything/messages?sessionId=abc', { kind: 'legacy-messages', service: 'everything', sessionId: 'abc', rest: '/messages?sessionId=abc' }],
    ['/mcp/everything/messages', { kind: 'legacy-messages', service: 'everything', sessionId: null, rest: '/messages' }],
    ['/mcp/web/message?sessionId=1', { kind: 'other', service: 'web', rest: '/message?sessionId=1' }],
    ['/mcp/web/a/b/c', { kind: 'other', service: 'web', rest: '/a/b/c' }],
    ['/mcp/ws?service=everything&token=t', { kind: 'websocket', service: 'everything' }],
    ['/mcp/ws', { kind: 'websocket', service: null }],
    ['/mcp/2b1c5a0e-0000-4000-8000-000000000000', { kind: 'streamable', service: '2b1c5a0e-0000-4000-8000-000000000000', rest: '' }],
  ])('%s', (url, expected) => {
    expect(parseMcpPath(url)).toEqual(expected);
  });

  it.each(['/mcp', '/mcp/', '/api/services', '/mcp/%E0%A4%A'])('%s is not an MCP endpoint', (url) => {
    expect(parseMcpPath(url)).toBeNull();
  });
});
