import { isLoopbackHost, remoteHeaderProblems, remoteUrlProblem } from './remote.validator';

describe('remoteUrlProblem', () => {
  it.each([
    ['https://mcp.example.com/mcp', false, null],
    ['http://127.0.0.1:3001/mcp', false, null],
    ['http://localhost:3001/sse', false, null],
    ['http://[::1]:3001/mcp', false, null],
    ['http://mcp.example.com/mcp', true, null],
    ['http://mcp.example.com/mcp', false, /must be https:\/\/ \(http:\/\/ is allowed for loopback/],
    ['ftp://mcp.example.com/', false, /must be an https:\/\/ URL/],
    ['not a url', false, /absolute https:\/\/ URL/],
    ['https://user:pass@mcp.example.com/', false, /must not carry credentials/],
    [42, false, /at most 2000 characters/],
  ])('%j (opt-in %j)', (url, allowInsecure, expected) => {
    const problem = remoteUrlProblem(url, allowInsecure as boolean);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('remoteHeaderProblems', () => {
  it.each([
    [undefined, []],
    [{ Authorization: 'Bearer ${TOKEN}', 'X-Tenant': 'acme' }, []],
    [{ 'Mcp-Session-Id': 'x' }, ['remote.headers.Mcp-Session-Id is set by the proxy and cannot be configured']],
    [{ traceparent: 'x' }, ['remote.headers.traceparent is set by the proxy and cannot be configured']],
    [{ 'bad name': 'x' }, ['remote.headers.bad name is not a valid header name']],
    [{ 'X-Split': 'a\r\nInjected: yes' }, [expect.stringMatching(/X-Split must be one line/)]],
    [{ 'X-Number': 3 }, ['remote.headers.X-Number must be a string']],
    [['a'], ['remote.headers must be an object of string values']],
  ])('%j', (headers, expected) => expect(remoteHeaderProblems(headers)).toEqual(expected));
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});
