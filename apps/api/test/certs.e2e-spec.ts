import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import * as acme from 'acme-client';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { PebbleCa, startPebble } from './support/pebble';
import { eventually } from './support/running-app';
import { ListeningApp, startListeningApp } from './support/tls-app';
import { fetchThrough, loopbackAgent, peerCertificate, trustingWebSocket } from './support/tls-clients';
import { freePort } from './support/built-app';

const DOMAIN = 'proxy.certs.test';

/**
 * HTTPS with a certificate from a real ACME server: Pebble validates HTTP-01 by dialling the app's
 * plain port for the test domain (its mock DNS answers 127.0.0.1), FORCE_SSL is on.
 */
describe('HTTPS with an ACME certificate (Pebble, HTTP-01)', () => {
  let pebble: PebbleCa;
  let running: ListeningApp;
  let agent: Agent;
  let adminDir: string;
  let httpsFetch: ReturnType<typeof fetchThrough>;
  const clients: Client[] = [];
  const previousWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
  const previousAgent = acme.axios.defaults.httpsAgent;

  const httpsUrl = (path: string): string => `https://${DOMAIN}:${running.ports.https}${path}`;
  const api = (path: string, init: RequestInit = {}) =>
    httpsFetch(httpsUrl(path), {
      ...init,
      headers: { 'X-API-Key': running.env.apiKey, 'Content-Type': 'application/json', ...init.headers },
    });
  const status = async (): Promise<CertStatusView> => (await api('/api/certs/status')).json() as Promise<CertStatusView>;

  beforeAll(async () => {
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    // Pebble's own API runs on the test's throwaway CA; production trusts the public roots (or NODE_EXTRA_CA_CERTS).
    acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.apiCa });
    adminDir = mkdtempSync(join(tmpdir(), 'certs-admin-'));
    writeFileSync(join(adminDir, 'index.html'), '<!doctype html><title>admin</title>');
    running = await startListeningApp(
      {
        ADMIN_DIST_DIR: adminDir,
        SSL_ENABLED: 'true',
        FORCE_SSL: 'true',
        SSL_PROVIDER: 'letsencrypt',
        DOMAIN,
        SSL_EMAIL: 'admin@certs.test',
        ACME_DIRECTORY_URL: pebble.directoryUrl,
      },
      { httpPort },
    );
    agent = loopbackAgent(pebble.issuingRoot);
    httpsFetch = fetchThrough(agent);
    await eventually(
      async () => {
        const view = await status();
        if (view.serving !== 'acme') throw new Error(`no ACME certificate yet: ${JSON.stringify(view)}`);
      },
      20_000,
      100,
    );
  }, 45_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    agent?.destroy();
    await running?.close();
    running?.env.cleanup();
    await pebble?.stop();
    rmSync(adminDir, { recursive: true, force: true });
    acme.axios.defaults.httpsAgent = previousAgent;
    (globalThis as { WebSocket?: unknown }).WebSocket = previousWebSocket;
  });

  it('serves the issued certificate on HTTPS_PORT, accepted by a client that trusts Pebble for the domain', async () => {
    const peer = await peerCertificate(running.ports.https, DOMAIN, pebble.issuingRoot);
    expect(peer).toMatchObject({ authorized: true, authorizationError: null, altNames: `DNS:${DOMAIN}` });
    expect(peer.issuer).toMatch(/^Pebble Intermediate CA/);

    const view = await status();
    expect(view).toMatchObject({
      enabled: true,
      provider: 'letsencrypt',
      domain: DOMAIN,
      altNames: [DOMAIN],
      serving: 'acme',
      fallbackReason: null,
      serialNumber: peer.serialNumber,
      directoryUrl: pebble.directoryUrl,
      challenge: 'http-01',
      lastError: null,
      failures: 0,
    });
    expect(view.issuer).toMatch(/CN=Pebble Intermediate CA/);
    const [notBefore, notAfter, renewAt] = [view.notBefore, view.notAfter, view.renewAt].map((time) => Date.parse(time as string));
    expect(renewAt).toBe(notAfter - 30 * 86_400_000);
    expect(notBefore).toBeLessThan(Date.now());
    expect(Date.parse(view.nextCheckAt as string)).toBeGreaterThan(Date.now() + 22 * 3_600_000);
  });

  it('keeps the account and certificate in DATA_DIR/certs, private files with sealed keys', () => {
    const dir = join(running.env.vars['DATA_DIR'], 'certs');
    const files = readdirSync(dir).sort();
    expect(files).toEqual([expect.stringMatching(/^account-[0-9a-f]{16}\.json$/), 'acme.json', 'self-signed.json']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of files) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain('PRIVATE KEY');
      expect(JSON.parse(text).sealedKey).toMatch(/^v1:/);
    }
  });

  it('answers the API, the health check and the admin UI over TLS, with HSTS and CSP', async () => {
    const health = await httpsFetch(httpsUrl('/health'));
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');

    const services = await api('/api/services');
    expect(services.status).toBe(200);
    expect(services.headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
    expect(services.headers.get('content-security-policy')).toMatch(/default-src 'self'.*upgrade-insecure-requests/);

    expect((await httpsFetch(httpsUrl('/api/services'))).status).toBe(401);

    const page = await httpsFetch(httpsUrl('/services'), { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>admin</title>');
    expect(page.headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it('FORCE_SSL: the plain ports answer 308 to the HTTPS port, except /health and ACME challenges', async () => {
    for (const port of [running.ports.http, running.ports.admin]) {
      const redirect = await plainRequest(port, 'HEAD', '/api/services?x=1', DOMAIN);
      expect(redirect.status).toBe(308);
      expect(redirect.location).toBe(`https://${DOMAIN}:${running.ports.https}/api/services?x=1`);
    }
    const post = await plainRequest(running.ports.http, 'POST', '/mcp/everything', `127.0.0.1:${running.ports.http}`);
    expect(post).toMatchObject({ status: 308, location: `https://127.0.0.1:${running.ports.https}/mcp/everything` });

    const health = await plainRequest(running.ports.http, 'GET', '/health', DOMAIN);
    expect(health.status).toBe(200);
    expect(health.hsts).toBeUndefined();
    expect((await plainRequest(running.ports.http, 'GET', '/.well-known/acme-challenge/x', DOMAIN)).status).toBe(404);

    const upgrade = await rawUpgrade(running.ports.http, '/mcp/ws?service=everything');
    expect(upgrade).toMatch(
      new RegExp(`^HTTP/1.1 308 .*\\r\\nLocation: https://127.0.0.1:${running.ports.https}/mcp/ws\\?service=everything`, 's'),
    );
  });

  describe('the MCP data plane over TLS', () => {
    beforeAll(async () => {
      const created = await api('/api/services', {
        method: 'POST',
        body: JSON.stringify({
          name: 'everything',
          process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
          proxy: { rateLimit: 0 },
          start: true,
        }),
      });
      expect(created.status).toBe(201);
      await eventually(async () =>
        expect(((await (await api('/api/services/everything')).json()) as { status: string }).status).toBe('running'),
      );
      (globalThis as { WebSocket?: unknown }).WebSocket = trustingWebSocket(pebble.issuingRoot);
    }, 30_000);

    it('the SDK client over https (Streamable HTTP, progress on an SSE stream)', async () => {
      const client = new McpClient({ name: 'certs-e2e', version: '1.0.0' });
      clients.push(client);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(httpsUrl('/mcp/everything')), {
          requestInit: { headers: { Authorization: `Bearer ${running.env.apiKey}` } },
          fetch: httpsFetch,
        }),
      );
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'over https' } }))).toContain('over https');
      const progress: number[] = [];
      await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      expect(progress).toEqual([1, 2, 3]);
    });

    it('a forced renewal swaps the certificate in: new handshakes get it, open connections keep working', async () => {
      const before = await peerCertificate(running.ports.https, DOMAIN, pebble.issuingRoot);
      const ws = await wssClient();
      expect(textOf(await ws.callTool({ name: 'echo', arguments: { message: 'before' } }))).toContain('before');
      const keptAlive = await keptAliveGet('/health');
      expect(keptAlive.status).toBe(200);

      const renewed = await api('/api/certs/renew', { method: 'POST' });
      expect(renewed.status).toBe(200);
      const view = (await renewed.json()) as CertStatusView;
      expect(view.serialNumber).not.toBe(before.serialNumber);
      expect(view).toMatchObject({ serving: 'acme', lastError: null });

      const after = await peerCertificate(running.ports.https, DOMAIN, pebble.issuingRoot);
      expect(after).toMatchObject({ authorized: true, serialNumber: view.serialNumber });
      // The WebSocket opened before the swap is the same connection and still carries calls.
      expect(textOf(await ws.callTool({ name: 'echo', arguments: { message: 'after' } }))).toContain('after');
      // So is the kept-alive HTTPS connection: TLS never re-handshakes it, so it still holds the old certificate.
      const again = await keptAliveGet('/health');
      expect(again).toMatchObject({ status: 200, reused: true, localPort: keptAlive.localPort, serialNumber: before.serialNumber });
    });

    it('a restart loads the stored certificate instead of ordering another', async () => {
      const served = (await status()).serialNumber;
      const env = running.env;
      const httpPort = running.ports.http;
      await Promise.allSettled(clients.splice(0).map((client) => client.close()));
      agent.destroy();
      await running.close();
      running = await startListeningApp(
        { SSL_ENABLED: 'true', FORCE_SSL: 'true', SSL_PROVIDER: 'letsencrypt', DOMAIN, ACME_DIRECTORY_URL: pebble.directoryUrl },
        { env, httpPort },
      );
      agent = loopbackAgent(pebble.issuingRoot);
      httpsFetch = fetchThrough(agent);
      const peer = await peerCertificate(running.ports.https, DOMAIN, pebble.issuingRoot);
      expect(peer).toMatchObject({ authorized: true, serialNumber: served });
      expect(await status()).toMatchObject({ serving: 'acme', serialNumber: served, lastRenewedAt: null });
    }, 20_000);

    async function wssClient(): Promise<Client> {
      const url = new URL(`wss://${DOMAIN}:${running.ports.https}/mcp/ws`);
      url.searchParams.set('service', 'everything');
      url.searchParams.set('token', running.env.apiKey);
      const client = new McpClient({ name: 'certs-e2e-ws', version: '1.0.0' });
      clients.push(client);
      await client.connect(new WebSocketClientTransport(url));
      return client;
    }
  });

  /** A GET through the keep-alive agent, with which connection carried it and the certificate that connection holds. */
  function keptAliveGet(path: string): Promise<{ status: number; reused: boolean; localPort: number; serialNumber: string }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(httpsUrl(path), { agent }, (incoming) => {
        const socket = incoming.socket as TLSSocket;
        const facts = { status: incoming.statusCode ?? 0, reused: outgoing.reusedSocket, localPort: socket.localPort as number };
        const serialNumber = socket.getPeerCertificate().serialNumber.toUpperCase();
        incoming.resume();
        incoming.on('end', () => resolve({ ...facts, serialNumber }));
      });
      outgoing.once('error', reject);
      outgoing.end();
    });
  }
});

function plainRequest(
  port: number,
  method: string,
  path: string,
  host: string,
): Promise<{ status: number; location?: string; hsts?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers: { Host: host } }, (incoming) => {
      incoming.resume();
      incoming.on('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          location: incoming.headers.location,
          hsts: incoming.headers['strict-transport-security'] as string | undefined,
        }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

/** A WebSocket handshake over plain HTTP, answered before any upgrade: the raw response head. */
function rawUpgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n\r\n',
      );
    });
    let head = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (head += chunk));
    socket.once('end', () => resolve(head));
    socket.once('error', reject);
  });
}
