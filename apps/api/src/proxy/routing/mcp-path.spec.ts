import { parseMcpPath, withoutQueryParam } from './mcp-path';

describe('parseMcpPath', () => {
  it.each([
    ['/mcp/everything', { kind: 'streamable', service: 'everything', base: '/mcp/everything', rest: '' }],
    ['/mcp/everything/', { kind: 'streamable', service: 'everything', base: '/mcp/everything', rest: '/' }],
    ['/mcp/everything?x=1', { kind: 'streamable', service: 'everything', base: '/mcp/everything', rest: '?x=1' }],
    ['/mcp/everything/sse', { kind: 'legacy-sse', service: 'everything', base: '/mcp/everything', rest: '/sse' }],
    [
      '/mcp/everything/messages?sessionId=abc',
      { kind: 'legacy-messages', service: 'everything', base: '/mcp/everything', sessionId: 'abc', rest: '/messages?sessionId=abc' },
    ],
    [
      '/mcp/everything/messages',
      { kind: 'legacy-messages', service: 'everything', base: '/mcp/everything', sessionId: null, rest: '/messages' },
    ],
    ['/mcp/web/message?sessionId=1', { kind: 'other', service: 'web', base: '/mcp/web', rest: '/message?sessionId=1' }],
    ['/mcp/web/a/b/c', { kind: 'other', service: 'web', base: '/mcp/web', rest: '/a/b/c' }],
    ['/mcp/ws?service=everything&token=t', { kind: 'websocket', service: 'everything' }],
    ['/mcp/ws?group=tools', { kind: 'websocket', service: 'g/tools' }],
    ['/mcp/ws', { kind: 'websocket', service: null }],
    [
      '/mcp/2b1c5a0e-0000-4000-8000-000000000000',
      { kind: 'streamable', service: '2b1c5a0e-0000-4000-8000-000000000000', base: '/mcp/2b1c5a0e-0000-4000-8000-000000000000', rest: '' },
    ],
    ['/mcp', { kind: 'streamable', service: 'g/all', base: '/mcp', rest: '' }],
    ['/mcp/', { kind: 'streamable', service: 'g/all', base: '/mcp', rest: '/' }],
    ['/mcp/g/tools', { kind: 'streamable', service: 'g/tools', base: '/mcp/g/tools', rest: '' }],
    ['/mcp/g/tools/sse', { kind: 'legacy-sse', service: 'g/tools', base: '/mcp/g/tools', rest: '/sse' }],
    [
      '/mcp/g/tools/messages?sessionId=s',
      { kind: 'legacy-messages', service: 'g/tools', base: '/mcp/g/tools', sessionId: 's', rest: '/messages?sessionId=s' },
    ],
  ])('%s', (url, expected) => {
    expect(parseMcpPath(url)).toEqual(expected);
  });

  it.each(['/api/services', '/mcp/%E0%A4%A', '/mcp/g', '/mcp/g/'])('%s is not an MCP endpoint', (url) => {
    expect(parseMcpPath(url)).toBeNull();
  });

  it.each([
    ['/echo?token=abc&keep=1', '/echo?keep=1'],
    ['/echo?keep=1&token=abc', '/echo?keep=1'],
    ['/echo?token=abc', '/echo'],
    ['/echo?to%6Ben=abc&b=%20x+y', '/echo?b=%20x+y'],
    ['/echo?token', '/echo'],
    ['/echo?tokens=1&token=2&token=3', '/echo?tokens=1'],
    ['/echo', '/echo'],
  ])('withoutQueryParam(%s, token) → %s', (url, expected) => {
    expect(withoutQueryParam(url, 'token')).toBe(expected);
  });
});
