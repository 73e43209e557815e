import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local MCP Registry for the e2e suite: the registry API's read endpoints over loopback, serving the
 * records a test publishes (`{server, _meta}` entries). `GET <api>/servers` pages by an opaque cursor,
 * searches names and descriptions and filters `version=latest`; `GET <api>/servers/<name>/versions/<v>`
 * answers one version (`latest` too). Serves `/v0.1` (or `/v0` only, as registries before v0.1 did) and
 * counts the requests it gets, so a test can see the proxy's cache at work.
 */
export interface RegistryStandIn {
  url: string;
  /** Every request path (with query) received, in order. */
  requests: string[];
  /** Adds a version; the entry's other versions stop being the latest. */
  publish(entry: Record<string, unknown>): void;
  close(): Promise<void>;
}

type Entry = { server: { name: string; version: string; description?: string }; _meta: Record<string, Record<string, unknown>> };

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

export async function startRegistryStandIn(options: { apiVersion?: '/v0.1' | '/v0' } = {}): Promise<RegistryStandIn> {
  const api = options.apiVersion ?? '/v0.1';
  const entries: Entry[] = [];
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || !url.pathname.startsWith(`${api}/servers`)) return send(404, { title: 'Not Found', status: 404 });
    const rest = url.pathname.slice(`${api}/servers`.length);
    if (rest === '' || rest === '/') return send(200, list(entries, url.searchParams));
    const match = /^\/([^/]+)\/versions\/([^/]+)$/.exec(rest);
    if (!match) return send(404, { title: 'Not Found', status: 404 });
    const name = decodeURIComponent(match[1]);
    const version = decodeURIComponent(match[2]);
    const found = entries.find(
      (item) =>
        item.server.name === name && (version === 'latest' ? item._meta[OFFICIAL]['isLatest'] === true : item.server.version === version),
    );
    return found ? send(200, found) : send(404, { title: 'Not Found', status: 404, detail: 'Server not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    publish: (raw) => {
      const entry = raw as Entry;
      for (const other of entries) if (other.server.name === entry.server.name) other._meta[OFFICIAL]['isLatest'] = false;
      entry._meta[OFFICIAL]['isLatest'] = true;
      entries.push(entry);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Like the registry: sorted by name then version, cursor = the last item's `name:version`, default 30 and at most 100 a page. */
function list(entries: Entry[], params: URLSearchParams): unknown {
  const limit = Math.min(Number(params.get('limit') ?? 30) || 30, 100);
  const search = (params.get('search') ?? '').toLowerCase();
  const cursor = params.get('cursor');
  const matching = entries
    .filter((item) => params.get('version') !== 'latest' || item._meta[OFFICIAL]['isLatest'] === true)
    .filter((item) => !search || `${item.server.name} ${item.server.description ?? ''}`.toLowerCase().includes(search))
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const start = cursor ? matching.findIndex((item) => keyOf(item) === Buffer.from(cursor, 'base64url').toString()) + 1 : 0;
  const page = matching.slice(start, start + limit);
  const more = start + limit < matching.length;
  return {
    servers: page,
    metadata: { count: page.length, ...(more ? { nextCursor: Buffer.from(keyOf(page[page.length - 1])).toString('base64url') } : {}) },
  };
}

function keyOf(item: Entry): string {
  return `${item.server.name}:${item.server.version}`;
}
