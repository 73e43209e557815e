import * as acme from 'acme-client';
import { Agent } from 'node:https';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { FakeCloudflare, startFakeCloudflare } from './support/fake-cloudflare';
import { PebbleCa, startPebble } from './support/pebble';
import { eventually } from './support/running-app';
import { ListeningApp, startListeningApp } from './support/tls-app';
import { peerCertificate } from './support/tls-clients';
import { freePort } from './support/built-app';

const ZONE = 'certs.test';
const DOMAIN = `*.dns.${ZONE}`;
const TOKEN = 'cf-test-token-0123456789';

// Each test starts the proxy and runs an ACME order (a CA restart in one): well past Jest's 5 s on a loaded machine.
jest.setTimeout(60_000);

/**
 * DNS-01 through Cloudflare's API for a wildcard and its apex: a local server speaks Cloudflare's v4
 * JSON (the real API cannot be reached from here) and writes the TXT records into Pebble's mock DNS,
 * where Pebble really looks them up.
 */
describe('HTTPS with an ACME certificate (Pebble, DNS-01 through the Cloudflare API)', () => {
  let pebble: PebbleCa;
  let cloudflare: FakeCloudflare;
  let running: ListeningApp | undefined;
  const previousAgent = acme.axios.defaults.httpsAgent;

  const status = async (): Promise<CertStatusView> => {
    const response = await fetch(`http://127.0.0.1:${running?.ports.http}/api/certs/status`, {
      headers: { 'X-API-Key': running?.env.apiKey ?? '' },
    });
    return (await response.json()) as CertStatusView;
  };

  const start = (token: string): Promise<ListeningApp> =>
    startListeningApp({
      SSL_ENABLED: 'true',
      SSL_PROVIDER: 'letsencrypt',
      DOMAIN,
      ACME_DIRECTORY_URL: pebble.directoryUrl,
      CLOUDFLARE_TOKEN: token,
      CLOUDFLARE_API_URL: cloudflare.apiUrl,
      // The zone's real name servers (Cloudflare's) are not reachable: check the record where Pebble looks.
      ACME_DNS_RESOLVERS: pebble.dnsServer,
    });

  beforeAll(async () => {
    // No HTTP-01 here: Pebble's validator port points nowhere.
    pebble = await startPebble({ httpPort: await freePort() });
    acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.apiCa });
    cloudflare = await startFakeCloudflare({ token: TOKEN, zone: ZONE, challengeServer: pebble.challengeServer });
  }, 20_000);

  afterEach(async () => {
    await running?.close();
    running?.env.cleanup();
    running = undefined;
  });

  afterAll(async () => {
    await cloudflare?.close();
    await pebble?.stop();
    acme.axios.defaults.httpsAgent = previousAgent;
  });

  const served = (): Promise<CertStatusView> =>
    eventually(
      async () => {
        const current = await status();
        if (current.serving !== 'acme') throw new Error(`no ACME certificate yet: ${JSON.stringify(current)}`);
        return current;
      },
      20_000,
      100,
    );

  it('issues one certificate for the wildcard and its apex; both TXT values live at one name until both are validated', async () => {
    running = await start(TOKEN);
    const view = await served();
    expect(view).toMatchObject({ challenge: 'dns-01', altNames: [DOMAIN, `dns.${ZONE}`], lastError: null, fallbackReason: null });

    for (const name of [`api.dns.${ZONE}`, `dns.${ZONE}`]) {
      const peer = await peerCertificate(running.ports.https, name, pebble.issuingRoot);
      expect(peer).toMatchObject({ authorized: true, serialNumber: view.serialNumber });
    }

    const name = `_acme-challenge.dns.${ZONE}`;
    expect(cloudflare.calls).toEqual([`LIST ${name}`, `POST ${name}`, `POST ${name}`, `DELETE ${name}`, `DELETE ${name}`]);
    expect(cloudflare.records()).toEqual([]);
  });

  it('a token Cloudflare refuses: the self-signed certificate is served and the status says why', async () => {
    running = await start('not-the-token');
    const view = await eventually(
      async () => {
        const current = await status();
        if (!current.lastError) throw new Error(`no error yet: ${JSON.stringify(current)}`);
        return current;
      },
      15_000,
      100,
    );
    expect(view).toMatchObject({ serving: 'self-signed', failures: 1 });
    expect(view.lastError).toMatch(/Cloudflare refused GET \/zones: Authentication error \(10000\): check that CLOUDFLARE_TOKEN/);
    expect(view.fallbackReason).toContain(view.lastError);
    expect(Date.parse(view.nextCheckAt as string) - Date.now()).toBeGreaterThan(60_000);

    const peer = await peerCertificate(running.ports.https, `dns.${ZONE}`, pebble.issuingRoot);
    expect(peer.authorized).toBe(false);
    expect(peer.issuer).toBe(DOMAIN);
  });

  it('a CA that forgot our account (its data was reset): the next order registers again', async () => {
    running = await start(TOKEN);
    const first = await served();
    await pebble.restart();

    const renewed = await fetch(`http://127.0.0.1:${running.ports.http}/api/certs/renew`, {
      method: 'POST',
      headers: { 'X-API-Key': running.env.apiKey },
    });
    const view = (await renewed.json()) as CertStatusView;
    expect(renewed.status).toBe(200);
    expect(view).toMatchObject({ serving: 'acme', lastError: null });
    expect(view.serialNumber).not.toBe(first.serialNumber);
    const peer = await peerCertificate(running.ports.https, `dns.${ZONE}`, pebble.issuingRoot);
    expect(peer).toMatchObject({ authorized: true, serialNumber: view.serialNumber });
  });
});
