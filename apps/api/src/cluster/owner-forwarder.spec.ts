import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DRAINING_HEADER, FORWARDED_BY_HEADER } from './instance-identity';
import { readBody } from '../core/http/bounded-body';
import { forwardOnce } from './owner-forwarder';

/** Two loopback servers: the "owner", and a front that forwards each request to it with forwardOnce. */
describe('forwardOnce', () => {
  const servers: Server[] = [];
  const listen = async (handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  /** A front whose forward outcomes are recorded; a refused request gets 599 so the test can see it. */
  const front = async (ownerUrl: string, outcomes: string[]): Promise<string> =>
    listen((request, response) => {
      void (async () => {
        const body = request.method === 'POST' ? await readBody(request, 1024) : null;
        const outcome = await forwardOnce(request, response, ownerUrl, body, 'front-1');
        outcomes.push(outcome);
        if (outcome === 'refused') response.writeHead(599).end();
      })();
    });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('passes method, path, body and headers, marks the request as forwarded, and returns the answer', async () => {
    const owner = await listen((request, response) => {
      void readBody(request, 1024).then((body) => {
        response.writeHead(201, { 'content-type': 'application/json', 'mcp-session-id': 's1' });
        response.end(
          JSON.stringify({
            path: request.url,
            body: body.toString(),
            by: request.headers[FORWARDED_BY_HEADER],
            key: request.headers['x-api-key'],
          }),
        );
      });
    });
    const outcomes: string[] = [];
    const url = await front(owner, outcomes);
    const response = await fetch(`${url}/mcp/x?y=1`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('mcp-session-id')).toBe('s1');
    expect(await response.json()).toEqual({ path: '/mcp/x?y=1', body: '{"a":1}', by: 'front-1', key: 'k' });
    expect(outcomes).toEqual(['done']);
  });

  it('streams an SSE answer as it comes', async () => {
    let sendMore: () => void = () => undefined;
    const owner = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      sendMore = () => response.end('data: second\n\n');
    });
    const url = await front(owner, []);
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${url}/mcp/x`, (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          chunks.push(chunk);
          // The first event arrived while the owner still holds the stream open.
          if (chunks.length === 1) sendMore();
        });
        response.once('end', resolve);
      })
        .once('error', reject)
        .end();
    });
    expect(chunks.join('')).toBe('data: first\n\ndata: second\n\n');
  });

  it('reports "refused" when the owner is down or draining, so the request can go elsewhere', async () => {
    const down = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const draining = await listen((_request, response) => response.writeHead(503, { [DRAINING_HEADER]: '1' }).end());
    const outcomes: string[] = [];
    expect((await fetch(`${await front(down, outcomes)}/mcp/x`, { method: 'POST', body: '{}' })).status).toBe(599);
    expect((await fetch(`${await front(draining, outcomes)}/mcp/x`, { method: 'POST', body: '{}' })).status).toBe(599);
    expect(outcomes).toEqual(['refused', 'refused']);
  });

  it('answers 502 when the owner dies after it got the request', async () => {
    const owner = await listen((request) => request.socket.destroy());
    const outcomes: string[] = [];
    const response = await fetch(`${await front(owner, outcomes)}/mcp/x`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(outcomes).toEqual(['done']);
  });
});
