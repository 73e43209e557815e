import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/time/clock';
import { MAX_ANSWER_BYTES, RegistryClient, RegistryEntryNotFoundError, RegistryUnavailableError } from './registry-client';
import { entry, weatherServer } from './testing/sample-records';

/** The registry client against a loopback server that misbehaves on purpose: only REGISTRY_URL is fetched, and only so much. */
describe('the registry client', () => {
  let server: Server;
  let base: string;
  let handle: (path: string, res: ServerResponse) => void;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      handle(req.url ?? '', res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/registry`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const client = (ttlSec = 0): RegistryClient =>
    new RegistryClient({ get: (key: string) => (key === 'REGISTRY_URL' ? base : ttlSec) } as unknown as AppConfig, new Clock());
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  it('asks <REGISTRY_URL>/v0.1 with the latest versions, the search and the cursor, names encoded', async () => {
    handle = (path, res) =>
      path.includes('/versions/')
        ? json(res, 200, entry(weatherServer('0.5.0')))
        : json(res, 200, { servers: [entry(weatherServer('0.5.0'))], metadata: { count: 1 } });
    const registry = client();
    const page = await registry.list({ search: 'weather & co', cursor: 'abc/def', limit: 5 });
    expect(page.records[0].name).toBe('io.github.example/weather-mcp');
    expect(page.nextCursor).toBeNull();
    await registry.entry('io.github.example/weather-mcp', '0.5.0');
    expect(seen).toEqual([
      '/registry/v0.1/servers?version=latest&limit=5&search=weather+%26+co&cursor=abc%2Fdef',
      '/registry/v0.1/servers/io.github.example%2Fweather-mcp/versions/0.5.0',
    ]);
  });

  it('follows no redirect, whatever it points to', async () => {
    handle = (_path, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    await expect(client().list({})).rejects.toThrow(
      new RegistryUnavailableError(
        'the registry answered a redirect (HTTP 302), which is not followed: set REGISTRY_URL to where it points',
      ),
    );
    expect(seen).toHaveLength(1);
  });

  it('stops reading an answer past its size bound', async () => {
    handle = (_path, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"servers":[],"padding":"${'x'.repeat(MAX_ANSWER_BYTES)}"}`);
    };
    await expect(client().list({})).rejects.toThrow(`the registry's answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  });

  it('names an unknown entry, and a server that is no registry', async () => {
    handle = (path, res) =>
      path.includes('/versions/') ? json(res, 404, { detail: 'Server not found' }) : json(res, 200, { servers: [] });
    await expect(client().entry('com.example/gone', 'latest')).rejects.toThrow(RegistryEntryNotFoundError);
    handle = (_path, res) => json(res, 404, { error: 'nothing here' });
    await expect(client().list({})).rejects.toThrow('serves neither /v0.1 nor /v0/servers: is REGISTRY_URL an MCP Registry?');
    handle = (_path, res) => json(res, 400, { detail: 'Invalid cursor parameter' });
    await expect(client().list({ cursor: 'stale' })).rejects.toThrow('the registry refused the request: Invalid cursor parameter');
    handle = (_path, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    await expect(client().list({})).rejects.toThrow('the registry answered something that is not JSON');
  });

  it('reuses a good answer while it is fresh, never a failure', async () => {
    let fail = true;
    handle = (_path, res) => (fail ? json(res, 500, { detail: 'down' }) : json(res, 200, { servers: [] }));
    const registry = client(60);
    await expect(registry.list({})).rejects.toThrow('the registry answered HTTP 500: down');
    fail = false;
    await registry.list({});
    await registry.list({});
    expect(seen).toHaveLength(2);
  });
});
