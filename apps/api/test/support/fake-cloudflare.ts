import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Cloudflare's v4 DNS API (zones look-up, TXT create/list/delete): the real
 * one cannot be reached from here. TXT records are mirrored into pebble-challtestsrv's DNS, so
 * Pebble really looks them up. Only what DNS-01 needs; answers use Cloudflare's JSON envelope.
 */
export interface FakeCloudflare {
  /** `http://127.0.0.1:PORT/client/v4` */
  apiUrl: string;
  /** Every call, in order, e.g. `POST _acme-challenge.example.test` or `DELETE _acme-challenge.example.test`. */
  calls: string[];
  /** TXT records now in the zone. */
  records(): { id: string; name: string; content: string }[];
  close(): Promise<void>;
}

interface DnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  comment: string | null;
}

export async function startFakeCloudflare(options: { token: string; zone: string; challengeServer: string }): Promise<FakeCloudflare> {
  const zone = { id: randomBytes(16).toString('hex'), name: options.zone, status: 'active', name_servers: ['ns1.fake-cloudflare.test'] };
  const records = new Map<string, DnsRecord>();
  const calls: string[] = [];

  const mirror = async (name: string): Promise<void> => {
    const post = (path: string, body: unknown) =>
      fetch(`${options.challengeServer}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((response) => {
        if (!response.ok) throw new Error(`challtestsrv ${path}: ${response.status}`);
      });
    // challtestsrv keeps a list of values per name and can only clear the whole list.
    await post('/clear-txt', { host: `${name}.` });
    for (const record of records.values()) {
      if (record.name === name) await post('/set-txt', { host: `${name}.`, value: record.content });
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, body: string): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://cloudflare.local');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return reply(response, 403, {
        success: false,
        errors: [{ code: 10000, message: 'Authentication error' }],
        messages: [],
        result: null,
      });
    }
    if (request.method === 'GET' && path === '/zones') {
      const name = url.searchParams.get('name');
      return ok(response, name === zone.name ? [zone] : []);
    }
    const recordsPath = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(path);
    if (!recordsPath || recordsPath[1] !== zone.id) {
      return reply(response, 404, {
        success: false,
        errors: [{ code: 7003, message: 'Could not route to ' + path }],
        messages: [],
        result: null,
      });
    }
    const recordId = recordsPath[2];
    if (request.method === 'GET' && !recordId) {
      const type = url.searchParams.get('type');
      const name = url.searchParams.get('name');
      calls.push(`LIST ${name}`);
      return ok(
        response,
        [...records.values()].filter((record) => (!type || record.type === type) && (!name || record.name === name)),
      );
    }
    if (request.method === 'POST' && !recordId) {
      const input = JSON.parse(body) as Partial<DnsRecord>;
      if (input.type !== 'TXT' || !input.name?.endsWith(zone.name) || !input.content) {
        return reply(response, 400, {
          success: false,
          errors: [{ code: 9000, message: 'Invalid DNS record' }],
          messages: [],
          result: null,
        });
      }
      const record: DnsRecord = {
        id: randomBytes(16).toString('hex'),
        type: 'TXT',
        name: input.name,
        content: input.content,
        ttl: input.ttl ?? 1,
        comment: input.comment ?? null,
      };
      records.set(record.id, record);
      calls.push(`POST ${record.name}`);
      await mirror(record.name);
      return ok(response, record);
    }
    if (request.method === 'DELETE' && recordId) {
      const record = records.get(recordId);
      if (!record)
        return reply(response, 404, {
          success: false,
          errors: [{ code: 81044, message: 'Record does not exist.' }],
          messages: [],
          result: null,
        });
      records.delete(recordId);
      calls.push(`DELETE ${record.name}`);
      await mirror(record.name);
      return ok(response, { id: recordId });
    }
    reply(response, 405, { success: false, errors: [{ code: 10405, message: 'Method not allowed' }], messages: [], result: null });
  };

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      handle(request, response, body).catch((error: unknown) =>
        reply(response, 500, { success: false, errors: [{ code: 500, message: String(error) }], messages: [], result: null }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/client/v4`,
    calls,
    records: () => [...records.values()].map(({ id, name, content }) => ({ id, name, content })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function ok(response: ServerResponse, result: unknown): void {
  reply(response, 200, { success: true, errors: [], messages: [], result });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
