import type { EventEmitter2 } from '@nestjs/event-emitter';
import { CERT_RENEWED_EVENT, CertSource } from '@mcp-proxy/shared/dto';
import { generate } from 'selfsigned';
import type { AppLogger } from '../core/logging/app-logger';
import type { AcmeIssuer, AcmeOrder } from './acme/acme-issuer';
import type { CertificateBundle } from './certificate-bundle';
import { CertificateManager } from './certificate-manager';
import type { CertsSettings } from './certs-settings';
import type { Clock } from '../core/time/clock';
import { SelfSignedIssuer } from './self-signed/self-signed-issuer';
import type { CertificateStore, StoredCertificate } from './storage/certificate-store';
import { HttpsServers } from './tls/https-servers';

const DAY = 86_400_000;
const START = Date.parse('2026-06-01T00:00:00Z');

/** Time that moves only when the test says, and timers the test fires. */
class FakeClock {
  time = START;
  timers: { at: number; task: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  random(): number {
    return 0.5;
  }
  schedule(delayMs: number, task: () => void): { cancel(): void } {
    const timer = { at: this.time + delayMs, task, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  /** The one pending timer, in milliseconds from now. */
  pendingIn(): number {
    const pending = this.timers.filter((timer) => !timer.cancelled);
    expect(pending).toHaveLength(1);
    return pending[0].at - this.time;
  }
  /** Moves to the pending timer and fires it; resolves when the check it started has finished. */
  async fire(manager: CertificateManager): Promise<void> {
    const timer = this.timers.filter((candidate) => !candidate.cancelled)[0];
    this.timers = [];
    this.time = Math.max(this.time, timer.at);
    timer.task();
    // Real key generation runs in libuv's pool: wait by time, not by turns (a busy machine needs more of them).
    await flush();
    const deadline = Date.now() + 20_000;
    while (manager.status().renewing) {
      if (Date.now() > deadline) throw new Error('the renewal did not finish within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

class MemoryStore {
  readonly saved = new Map<CertSource, StoredCertificate>();
  async loadCertificate(source: CertSource) {
    return this.saved.get(source);
  }
  async saveCertificate(certificate: StoredCertificate) {
    this.saved.set(certificate.source, certificate);
  }
}

async function certificate(names: string[], notBefore: number, lifetimeMs: number): Promise<CertificateBundle> {
  const pems = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(notBefore),
    notAfterDate: new Date(notBefore + lifetimeMs),
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('CertificateManager', () => {
  const settings: CertsSettings = {
    enabled: true,
    provider: 'letsencrypt',
    domain: 'proxy.example.com',
    acmeNames: ['proxy.example.com'],
    selfSignedNames: ['proxy.example.com', 'localhost'],
    directoryUrl: 'https://acme.example/dir',
    email: undefined,
    challenge: 'http-01',
    cloudflare: undefined,
    dnsResolvers: [],
    httpsPort: 8443,
    forceSsl: false,
  };
  let clock: FakeClock;
  let store: MemoryStore;
  let orders: AcmeOrder[];
  let answers: (() => Promise<CertificateBundle>)[];
  let emitted: string[];
  let manager: CertificateManager;

  beforeEach(() => {
    clock = new FakeClock();
    store = new MemoryStore();
    orders = [];
    answers = [];
    emitted = [];
    const acme = {
      issue: async (order: AcmeOrder) => {
        orders.push(order);
        const answer = answers.shift();
        if (!answer) throw new Error('no answer prepared');
        return answer();
      },
    };
    manager = new CertificateManager(
      settings,
      store as unknown as CertificateStore,
      acme as unknown as AcmeIssuer,
      new SelfSignedIssuer(),
      new HttpsServers(),
      clock as unknown as Clock,
      { emit: (event: string) => emitted.push(event) } as unknown as EventEmitter2,
      { event: () => undefined } as unknown as AppLogger,
    );
  });

  afterEach(() => manager.onApplicationShutdown());

  it('stands in with a self-signed certificate until the first order succeeds, then serves and schedules by the renewal time', async () => {
    await manager.onApplicationBootstrap();
    expect(manager.status()).toMatchObject({
      serving: 'self-signed',
      fallbackReason: 'Waiting for the first certificate from https://acme.example/dir',
    });

    const issued = await certificate(['proxy.example.com'], START, 90 * DAY);
    answers.push(async () => issued);
    manager.start();
    expect(clock.pendingIn()).toBe(0);
    await clock.fire(manager);

    expect(orders).toEqual([
      { directoryUrl: 'https://acme.example/dir', names: ['proxy.example.com'], email: undefined, challenge: 'http-01' },
    ]);
    expect(manager.status()).toMatchObject({
      serving: 'acme',
      fallbackReason: null,
      lastError: null,
      renewAt: new Date(START + 60 * DAY).toISOString(),
    });
    expect(store.saved.get('acme')?.bundle).toEqual(issued);
    expect(emitted).toEqual([CERT_RENEWED_EVENT]);
    // Renewal is two months away: the next look is tomorrow's daily check.
    expect(clock.pendingIn()).toBe(DAY);
  });

  it('retries a failing order with a doubling back-off, and says why the stand-in is served', async () => {
    await manager.onApplicationBootstrap();
    answers.push(
      async () => {
        throw new Error('ACME order failed: connection refused');
      },
      async () => {
        throw new Error('ACME order failed: still refused');
      },
    );
    manager.start();
    await clock.fire(manager);
    expect(manager.status()).toMatchObject({
      serving: 'self-signed',
      failures: 1,
      lastError: 'ACME order failed: connection refused',
      fallbackReason: 'Serving the self-signed certificate because the ACME order failed: ACME order failed: connection refused',
    });
    expect(clock.pendingIn()).toBe(120_000);

    await clock.fire(manager);
    expect(manager.status()).toMatchObject({ failures: 2, lastError: 'ACME order failed: still refused' });
    expect(clock.pendingIn()).toBe(240_000);

    answers.push(async () => certificate(['proxy.example.com'], clock.now(), 90 * DAY));
    await clock.fire(manager);
    expect(manager.status()).toMatchObject({ serving: 'acme', failures: 0, lastError: null, fallbackReason: null });
  });

  it('loads a stored certificate without ordering, and orders when its renewal time comes', async () => {
    const stored = await certificate(['proxy.example.com'], START - 50 * DAY, 90 * DAY);
    store.saved.set('acme', { source: 'acme', names: ['proxy.example.com'], directoryUrl: 'https://acme.example/dir', bundle: stored });
    await manager.onApplicationBootstrap();
    manager.start();
    await clock.fire(manager);
    expect(orders).toHaveLength(0);
    expect(manager.status()).toMatchObject({ serving: 'acme', renewAt: new Date(START + 10 * DAY).toISOString() });
    expect(clock.pendingIn()).toBe(DAY);

    clock.time = START + 20 * DAY;
    answers.push(async () => certificate(['proxy.example.com'], clock.now(), 90 * DAY));
    await clock.fire(manager);
    expect(orders).toHaveLength(1);
    expect(manager.status().lastRenewedAt).toBe(new Date(START + 20 * DAY).toISOString());
  });

  it.each([
    ['another domain', { names: ['old.example.com'], directoryUrl: 'https://acme.example/dir' }],
    ['another directory (staging)', { names: ['proxy.example.com'], directoryUrl: 'https://staging.example/dir' }],
  ])('does not serve a stored certificate for %s', async (_case, stored) => {
    const bundle = await certificate(stored.names, START, 90 * DAY);
    store.saved.set('acme', { source: 'acme', ...stored, bundle });
    await manager.onApplicationBootstrap();
    expect(manager.status().serving).toBe('self-signed');
  });

  it('a forced renewal joins one already running instead of ordering twice', async () => {
    await manager.onApplicationBootstrap();
    let release: (bundle: CertificateBundle) => void = () => undefined;
    answers.push(() => new Promise((resolve) => (release = resolve)));
    const first = manager.renewNow();
    const second = manager.renewNow();
    await flush();
    expect(manager.status().renewing).toBe(true);
    release(await certificate(['proxy.example.com'], START, 90 * DAY));
    const [a, b] = await Promise.all([first, second]);
    expect(orders).toHaveLength(1);
    expect(a.serialNumber).toBe(b.serialNumber);
    expect(a.renewing).toBe(false);
  });

  it('a forced renewal that fails reports the error and keeps serving the good certificate', async () => {
    const stored = await certificate(['proxy.example.com'], START, 90 * DAY);
    store.saved.set('acme', { source: 'acme', names: ['proxy.example.com'], directoryUrl: 'https://acme.example/dir', bundle: stored });
    await manager.onApplicationBootstrap();
    const serial = manager.status().serialNumber;
    answers.push(async () => {
      throw new Error('rate limited');
    });
    await expect(manager.renewNow()).rejects.toThrow('rate limited');
    expect(manager.status()).toMatchObject({
      serving: 'acme',
      serialNumber: serial,
      lastError: 'rate limited',
      failures: 1,
      fallbackReason: null,
    });
    // Not due: no back-off retry, the normal daily check.
    expect(clock.pendingIn()).toBe(DAY);
  });
});
