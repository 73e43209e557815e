import { Injectable } from '@nestjs/common';
import * as acme from 'acme-client';
import type { AcmeChallengeType } from '@mcp-proxy/shared/dto';
import { AppLogger } from '../../core/logging/app-logger';
import type { CertificateBundle } from '../certificate-bundle';
import { CertificateStore } from '../storage/certificate-store';
import { Dns01Solver } from './dns01-solver';
import { Http01Challenges } from './http01-challenges';

export interface AcmeOrder {
  directoryUrl: string;
  names: string[];
  email: string | undefined;
  challenge: AcmeChallengeType;
}

/** Longest a whole order may take before it counts as failed (and is retried with back-off). */
const ORDER_TIMEOUT_MS = 10 * 60_000;

/**
 * acme-client retries a request that got no answer five times, waiting 5 s longer each time: 75 s
 * before an unreachable directory is reported. Our own back-off retries whole orders, so two quick
 * tries are enough here; a request that hangs is cut off rather than holding the order forever.
 */
function tuneHttp(): void {
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } };
  defaults.acmeSettings.retryMaxAttempts = 2;
  defaults.acmeSettings.retryDefaultDelay = 1;
  defaults.timeout = 30_000;
}

/**
 * Orders a certificate from an RFC 8555 directory with acme-client: the only place that knows the
 * library. The account key is made once per directory and kept (sealed) in the store.
 */
@Injectable()
export class AcmeIssuer {
  constructor(
    private readonly store: CertificateStore,
    private readonly http01: Http01Challenges,
    private readonly dns01: Dns01Solver,
    private readonly logger: AppLogger,
  ) {
    tuneHttp();
  }

  async issue(order: AcmeOrder): Promise<CertificateBundle> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the order took longer than ${ORDER_TIMEOUT_MS / 60_000} minutes`)), ORDER_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([this.run(order), timeout]);
    } catch (error) {
      throw new Error(`ACME order for ${order.names.join(', ')} at ${order.directoryUrl} failed: ${describe(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(order: AcmeOrder): Promise<CertificateBundle> {
    const client = new acme.Client({
      directoryUrl: order.directoryUrl,
      accountKey: await this.accountKey(order.directoryUrl),
      // Validation usually completes within a second or two; acme-client's first poll would come after 5 s.
      backoffMin: 1000,
      backoffMax: 30_000,
      backoffAttempts: 12,
    });
    // A fresh key for every certificate: a renewal also rotates the key.
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: order.names[0].length <= 64 ? order.names[0] : undefined, altNames: order.names },
      await acme.crypto.createPrivateEcdsaKey(),
    );
    this.logger.event('info', { context: 'Certs', names: order.names, challenge: order.challenge, directory: order.directoryUrl }, 'Ordering a certificate');
    const certPem = await client.auto({
      csr,
      email: order.email,
      termsOfServiceAgreed: true,
      challengePriority: [order.challenge],
      // Its own check fetches the challenge through public DNS, which fails behind NAT without hairpinning and
      // waits minutes for a new TXT record; the DNS-01 solver checks the zone's own name servers instead.
      skipChallengeVerification: true,
      challengeCreateFn: (authz, challenge, keyAuthorization) => this.present(authz.identifier.value, challenge, keyAuthorization),
      challengeRemoveFn: (authz, challenge) => this.cleanup(authz.identifier.value, challenge),
    });
    return { certPem, keyPem: key.toString() };
  }

  private async accountKey(directoryUrl: string): Promise<string> {
    const stored = await this.store.loadAccountKey(directoryUrl);
    if (stored) return stored;
    const created = (await acme.crypto.createPrivateEcdsaKey()).toString();
    await this.store.saveAccountKey(directoryUrl, created);
    return created;
  }

  private async present(identifier: string, challenge: { type: string; token: string }, keyAuthorization: string): Promise<void> {
    if (challenge.type === 'http-01') return this.http01.add(challenge.token, keyAuthorization);
    // For dns-01, acme-client's "key authorization" is already the TXT value (its SHA-256, RFC 8555 §8.4).
    if (challenge.type === 'dns-01') return this.dns01.present(identifier, keyAuthorization);
    throw new Error(`the CA offered no ${challenge.type} challenge we can answer`);
  }

  private async cleanup(identifier: string, challenge: { type: string; token: string }): Promise<void> {
    if (challenge.type === 'http-01') this.http01.remove(challenge.token);
    if (challenge.type === 'dns-01') await this.dns01.cleanup(identifier);
  }
}

/** The CA's problem detail when there is one (it says which check failed and why), else the network error. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  if (code && /^E[A-Z]+$/.test(code) && !error.message.includes(code)) return `${error.message} (${code})`;
  return error.message;
}
