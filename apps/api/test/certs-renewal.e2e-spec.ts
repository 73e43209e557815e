import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import * as acme from 'acme-client';
import { Agent } from 'node:https';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { freePort } from './support/built-app';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { PebbleCa, startPebble } from './support/pebble';
import { eventually, startApp } from './support/running-app';
import { ListeningApp, startListeningApp } from './support/tls-app';
import { peerCertificate, trustingWebSocket } from './support/tls-clients';

const DOMAIN = 'renew.certs.test';

async function statusOf(running: ListeningApp): Promise<CertStatusView> {
  const response = await fetch(`http://127.0.0.1:${running.ports.http}/api/certs/status`, { headers: { 'X-API-Key': running.env.apiKey } });
  return (await response.json()) as CertStatusView;
}

async function waitForStatus(running: ListeningApp, done: (view: CertStatusView) => boolean, timeoutMs = 20_000): Promise<CertStatusView> {
  return eventually(
    async () => {
      const view = await statusOf(running);
      if (!done(view)) throw new Error(`status not reached yet: ${JSON.stringify(view)}`);
      return view;
    },
    timeoutMs,
    100,
  );
}

describe('automatic renewal of a short-lived certificate (Pebble issues 9-second certificates)', () => {
  let pebble: PebbleCa;
  let running: ListeningApp;
  let client: Client | undefined;
  const previousAgent = acme.axios.defaults.httpsAgent;
  const previousWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

  beforeAll(async () => {
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort, certificateValiditySec: 9 });
    acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.apiCa });
    running = await startListeningApp(
      { SSL_ENABLED: 'true', SSL_PROVIDER: 'letsencrypt', DOMAIN, ACME_DIRECTORY_URL: pebble.directoryUrl },
      { httpPort },
    );
    (globalThis as { WebSocket?: unknown }).WebSocket = trustingWebSocket(pebble.issuingRoot);
  }, 20_000);

  afterAll(async () => {
    await client?.close();
    await running?.close();
    running?.env.cleanup();
    await pebble?.stop();
    acme.axios.defaults.httpsAgent = previousAgent;
    (globalThis as { WebSocket?: unknown }).WebSocket = previousWebSocket;
  });

  it('renews on its own when a third of the life is left and swaps it in while a call runs over wss', async () => {
    const first = await waitForStatus(running, (view) => view.serving === 'acme');
    const lifetime = Date.parse(first.notAfter as string) - Date.parse(first.notBefore as string);
    expect(Math.abs(Date.parse(first.renewAt as string) - (Date.parse(first.notAfter as string) - lifetime / 3))).toBeLessThan(2);
    // The next look is at the renewal time, not tomorrow.
    expect(Math.abs(Date.parse(first.nextCheckAt as string) - Date.parse(first.renewAt as string))).toBeLessThan(100);

    const created = await fetch(`http://127.0.0.1:${running.ports.http}/api/services`, {
      method: 'POST',
      headers: { 'X-API-Key': running.env.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'everything', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }, start: true }),
    });
    expect(created.status).toBe(201);
    const url = new URL(`wss://${DOMAIN}:${running.ports.https}/mcp/ws`);
    url.searchParams.set('service', 'everything');
    url.searchParams.set('token', running.env.apiKey);
    client = new Client({ name: 'certs-renewal-e2e', version: '1.0.0' });
    await eventually(async () => client?.connect(new WebSocketClientTransport(url)));

    // A call that outlives the swap, on the connection opened with the first certificate.
    const progress: number[] = [];
    const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 8, steps: 8 } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
      timeout: 30_000,
    });
    const renewed = await waitForStatus(running, (view) => view.serialNumber !== first.serialNumber);
    expect(renewed).toMatchObject({ serving: 'acme', lastError: null, failures: 0 });
    expect(progress.length).toBeLessThan(8);

    const peer = await peerCertificate(running.ports.https, DOMAIN, pebble.issuingRoot);
    expect(peer.authorized).toBe(true);
    expect(peer.serialNumber).not.toBe(first.serialNumber);
    expect(textOf(await call)).toMatch(/completed/i);
    expect(progress).toHaveLength(8);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toContain('still here');
  }, 30_000);
});

describe('without a reachable ACME server, and with the self-signed provider', () => {
  let running: ListeningApp | undefined;

  afterEach(async () => {
    await running?.close();
    running?.env.cleanup();
    running = undefined;
  });

  it('ACME directory unreachable: starts anyway, serves the self-signed certificate, and the status names the error', async () => {
    const directoryUrl = `https://127.0.0.1:${await freePort()}/dir`;
    running = await startListeningApp({ SSL_ENABLED: 'true', SSL_PROVIDER: 'letsencrypt', DOMAIN, ACME_DIRECTORY_URL: directoryUrl });

    const pending = await statusOf(running);
    expect(pending).toMatchObject({ serving: 'self-signed', directoryUrl, challenge: 'http-01' });
    expect(pending.fallbackReason).toMatch(/^Waiting for the first certificate from|ACME order failed/);

    const failed = await waitForStatus(running, (view) => view.lastError !== null, 15_000);
    expect(failed.lastError).toContain(`ACME order for ${DOMAIN} at ${directoryUrl} failed`);
    expect(failed.lastError).toContain('ECONNREFUSED');
    expect(failed.fallbackReason).toBe(`Serving the self-signed certificate because the ACME order failed: ${failed.lastError}`);
    expect(failed.failures).toBe(1);
    // Retried with back-off: about two minutes after the first failure.
    expect(Date.parse(failed.nextCheckAt as string) - Date.now()).toBeGreaterThan(90_000);

    const peer = await peerCertificate(running.ports.https, DOMAIN, '');
    expect(peer).toMatchObject({ authorized: false, issuer: DOMAIN, serialNumber: failed.serialNumber });
    expect(peer.altNames).toContain(`DNS:${DOMAIN}`);
  }, 30_000);

  it('self-signed provider: serves localhost, renews on request, and a restart serves the stored certificate', async () => {
    running = await startListeningApp({ SSL_ENABLED: 'true' });
    const first = await statusOf(running);
    expect(first).toMatchObject({
      provider: 'self-signed',
      serving: 'self-signed',
      domain: null,
      altNames: ['localhost', '127.0.0.1', '::1'],
      fallbackReason: null,
      directoryUrl: null,
      challenge: null,
      issuer: 'CN=localhost',
    });
    expect(Date.parse(first.notAfter as string) - Date.parse(first.notBefore as string)).toBeGreaterThan(364 * 86_400_000);

    const renewed = await fetch(`http://127.0.0.1:${running.ports.http}/api/certs/renew`, {
      method: 'POST',
      headers: { 'X-API-Key': running.env.apiKey },
    });
    expect(renewed.status).toBe(200);
    const second = (await renewed.json()) as CertStatusView;
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect((await peerCertificate(running.ports.https, 'localhost', '')).serialNumber).toBe(second.serialNumber);

    const env = running.env;
    await running.close();
    running = await startListeningApp({ SSL_ENABLED: 'true' }, { env });
    expect((await statusOf(running)).serialNumber).toBe(second.serialNumber);
    expect((await peerCertificate(running.ports.https, 'localhost', '')).serialNumber).toBe(second.serialNumber);
  });

  it('TLS off: the status says so and a renewal is refused with the setting to change', async () => {
    const plain = await startApp();
    try {
      const view = await plain.api().get('/api/certs/status').set('X-API-Key', plain.env.apiKey).expect(200);
      expect(view.body).toMatchObject({ enabled: false, provider: 'self-signed', serving: null, serialNumber: null, nextCheckAt: null });
      const renew = await plain.api().post('/api/certs/renew').set('X-API-Key', plain.env.apiKey).expect(409);
      expect(renew.body.message).toMatch(/SSL_ENABLED=true/);
    } finally {
      await plain.close();
    }
  });
});
