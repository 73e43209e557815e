import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { CERT_RENEWED_EVENT, CertSource, CertStatusView } from '@mcp-proxy/shared/dto';
import { AppLogger } from '../core/logging/app-logger';
import { AcmeIssuer } from './acme/acme-issuer';
import { CertificateBundle, CertificateFacts, coversExactly, readCertificate } from './certificate-bundle';
import { CERTS_SETTINGS, CertsSettings } from './certs-settings';
import { Clock, ScheduledTask } from '../core/time/clock';
import { nextCheckDelay, renewalDue, retryDelay } from './renewal/renewal-policy';
import { SelfSignedIssuer } from './self-signed/self-signed-issuer';
import { CertificateStore, StoredCertificate } from './storage/certificate-store';
import { HttpsServers } from './tls/https-servers';

interface Served {
  source: CertSource;
  facts: CertificateFacts;
  renewAt: Date;
}

/**
 * Which certificate the HTTPS listener presents, and keeping it fresh: loads the stored one at start
 * (or makes a self-signed stand-in), orders from the ACME directory when none is valid or it is due,
 * checks daily (jittered) and at the renewal time, retries failures with back-off, and swaps the new
 * certificate into the running listener.
 */
@Injectable()
export class CertificateManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private served: Served | undefined;
  private fallbackReason: string | null = null;
  private lastError: string | null = null;
  private lastRenewedAt: Date | null = null;
  private failures = 0;
  private running: Promise<void> | undefined;
  private nextCheckAt: Date | null = null;
  private nextCheck: ScheduledTask | undefined;
  private stopped = false;

  constructor(
    @Inject(CERTS_SETTINGS) private readonly settings: CertsSettings,
    private readonly store: CertificateStore,
    private readonly acme: AcmeIssuer,
    private readonly selfSigned: SelfSignedIssuer,
    private readonly servers: HttpsServers,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
    private readonly logger: AppLogger,
  ) {}

  /** Before anything listens: the HTTPS listener needs a certificate the moment it is created. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.enabled) return;
    const acme = this.usesAcme ? await this.loadUsable('acme') : undefined;
    if (acme) return this.serve(acme);
    const selfSigned = (await this.loadUsable('self-signed')) ?? (await this.makeSelfSigned());
    this.serve(selfSigned);
    if (this.usesAcme) this.fallbackReason = `Waiting for the first certificate from ${this.settings.directoryUrl}`;
  }

  /** After the listeners are up (an HTTP-01 challenge is answered on the plain port): the first check, now. */
  start(): void {
    if (!this.settings.enabled || this.stopped) return;
    this.scheduleCheck(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.nextCheck?.cancel();
  }

  /** `POST /api/certs/renew`: a new certificate now, due or not. Joins a renewal already running. Throws when it fails. */
  async renewNow(): Promise<CertStatusView> {
    await this.renew();
    if (this.lastError) throw new Error(this.lastError);
    return this.status();
  }

  status(): CertStatusView {
    const served = this.served;
    return {
      enabled: this.settings.enabled,
      provider: this.settings.provider,
      domain: this.settings.domain ?? null,
      altNames: served?.facts.altNames ?? [],
      serving: served?.source ?? null,
      fallbackReason: this.fallbackReason,
      issuer: served?.facts.issuer ?? null,
      serialNumber: served?.facts.serialNumber ?? null,
      notBefore: served?.facts.notBefore.toISOString() ?? null,
      notAfter: served?.facts.notAfter.toISOString() ?? null,
      renewAt: served?.renewAt.toISOString() ?? null,
      directoryUrl: this.usesAcme ? this.settings.directoryUrl : null,
      challenge: this.usesAcme ? this.settings.challenge : null,
      renewing: this.running !== undefined,
      lastRenewedAt: this.lastRenewedAt?.toISOString() ?? null,
      lastError: this.lastError,
      failures: this.failures,
      nextCheckAt: this.nextCheckAt?.toISOString() ?? null,
    };
  }

  private get usesAcme(): boolean {
    return this.settings.provider === 'letsencrypt';
  }

  /** Whether the wanted certificate is missing, a stand-in, or due. */
  private get due(): boolean {
    const served = this.served;
    if (!served) return true;
    if (this.usesAcme && served.source !== 'acme') return true;
    return this.clock.now() >= served.renewAt.getTime();
  }

  private async check(): Promise<void> {
    if (this.due) await this.renew();
    else this.planNext();
  }

  private renew(): Promise<void> {
    this.running ??= this.attempt().finally(() => {
      this.running = undefined;
      this.planNext();
    });
    return this.running;
  }

  private async attempt(): Promise<void> {
    try {
      const certificate = this.usesAcme ? await this.orderFromAcme() : await this.makeSelfSigned();
      if (this.stopped) return;
      this.serve(certificate);
      this.failures = 0;
      this.lastError = null;
      this.fallbackReason = null;
      this.lastRenewedAt = new Date(this.clock.now());
      this.logger.event(
        'info',
        { context: 'Certs', source: certificate.source, serial: this.served?.facts.serialNumber, notAfter: this.served?.facts.notAfter },
        'New certificate in use',
      );
      this.events.emit(CERT_RENEWED_EVENT, this.status());
    } catch (error) {
      this.failures += 1;
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.served?.source === 'self-signed' && this.usesAcme) {
        this.fallbackReason = `Serving the self-signed certificate because the ACME order failed: ${this.lastError}`;
      }
      this.logger.event('error', { context: 'Certs', failures: this.failures }, this.lastError);
    }
  }

  private async orderFromAcme(): Promise<StoredCertificate> {
    const { directoryUrl, acmeNames: names, email, challenge } = this.settings;
    const bundle = await this.acme.issue({ directoryUrl, names, email, challenge });
    const certificate: StoredCertificate = { source: 'acme', names, directoryUrl, bundle };
    await this.store.saveCertificate(certificate);
    return certificate;
  }

  private async makeSelfSigned(): Promise<StoredCertificate> {
    const names = this.settings.selfSignedNames;
    const bundle: CertificateBundle = await this.selfSigned.issue(names, new Date(this.clock.now()));
    const certificate: StoredCertificate = { source: 'self-signed', names, bundle };
    await this.store.saveCertificate(certificate);
    return certificate;
  }

  /** A stored certificate that is for today's names (and directory), and not expired. */
  private async loadUsable(source: CertSource): Promise<StoredCertificate | undefined> {
    const stored = await this.store.loadCertificate(source);
    if (!stored) return undefined;
    const wanted = source === 'acme' ? this.settings.acmeNames : this.settings.selfSignedNames;
    const facts = readCertificate(stored.bundle.certPem);
    if (!coversExactly(facts.altNames, wanted)) return undefined;
    if (source === 'acme' && stored.directoryUrl !== this.settings.directoryUrl) return undefined;
    if (facts.notAfter.getTime() <= this.clock.now()) return undefined;
    // A self-signed certificate is cheap to remake; one that is due is replaced now rather than at the first check.
    if (source === 'self-signed' && renewalDue(facts.notBefore, facts.notAfter).getTime() <= this.clock.now()) return undefined;
    return stored;
  }

  private serve(certificate: StoredCertificate): void {
    const facts = readCertificate(certificate.bundle.certPem);
    this.servers.use(certificate.bundle);
    this.served = { source: certificate.source, facts, renewAt: renewalDue(facts.notBefore, facts.notAfter) };
  }

  /** After a failure that still leaves us without a good certificate: back-off. Otherwise: renewal time or tomorrow. */
  private planNext(): void {
    const retry = this.failures > 0 && this.due;
    const delay = retry
      ? retryDelay(this.failures, this.clock.random())
      : nextCheckDelay(this.clock.now(), this.served?.renewAt, this.clock.random());
    this.scheduleCheck(delay);
  }

  private scheduleCheck(delayMs: number): void {
    if (this.stopped) return;
    this.nextCheck?.cancel();
    this.nextCheckAt = new Date(this.clock.now() + delayMs);
    this.nextCheck = this.clock.schedule(delayMs, () => {
      this.nextCheckAt = null;
      void this.check();
    });
  }
}
