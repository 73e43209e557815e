import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrossOriginRedirect, remoteFetch } from './remote-http';

/** What a loopback server saw: method, path, one custom header, body. */
interface Seen {
  method: string;
  path: string;
  secret: string | undefined;
  body: string;
}

async function listen(
  handle: (request: IncomingMessage, body: string) => [number, Record<string, string>],
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        path: request.url ?? '',
        secret: request.headers['x-secret'] as string | undefined,
        body,
      });
      const [status, headers] = handle(request, body);
      response.writeHead(status, headers).end(status === 200 ? 'ok' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    server,
  };
}

/** Redirects towards a remote: followed on its own origin, refused anywhere else (the configured headers carry credentials). */
describe('remoteFetch', () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((server) => server.close()));

  it('follows redirects on the same origin: 307/308 keep method and body, 303 continues as GET', async () => {
    const remote = await listen((request) => {
      if (request.url === '/a') return [308, { location: '/b' }];
      if (request.url === '/b') return [303, { location: '/c' }];
      return [200, {}];
    });
    servers.push(remote.server);
    const response = await remoteFetch(new URL(`${remote.url}/a`), {
      method: 'POST',
      headers: { 'x-secret': 's3' },
      body: '{"x":1}',
    });
    expect(await response.text()).toBe('ok');
    expect(remote.seen).toEqual([
      { method: 'POST', path: '/a', secret: 's3', body: '{"x":1}' },
      { method: 'POST', path: '/b', secret: 's3', body: '{"x":1}' },
      { method: 'GET', path: '/c', secret: 's3', body: '' },
    ]);
  });

  it('refuses a redirect to another origin before sending anything there', async () => {
    const elsewhere = await listen(() => [200, {}]);
    const remote = await listen(() => [307, { location: `${elsewhere.url}/mcp` }]);
    servers.push(elsewhere.server, remote.server);
    await expect(
      remoteFetch(new URL(`${remote.url}/mcp`), {
        method: 'POST',
        headers: { 'x-secret': 's3' },
        body: '{}',
      }),
    ).rejects.toThrow(CrossOriginRedirect);
    await expect(remoteFetch(new URL(`${remote.url}/mcp`), { method: 'GET' })).rejects.toThrow(
      /another origin \(http:\/\/127\.0\.0\.1:\d+\).*remote\.url/,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it('gives up on a redirect loop', async () => {
    const remote = await listen(() => [302, { location: '/again' }]);
    servers.push(remote.server);
    await expect(remoteFetch(new URL(`${remote.url}/start`), { method: 'GET' })).rejects.toThrow(/redirected more than 5 times/);
  });
});
