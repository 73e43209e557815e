import { Injectable } from '@nestjs/common';
import * as acme from 'acme-client';
import type { AcmeChallengeType } from '@mcp-proxy/shared/dto';
import { IncomingMessage, request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { AppLogger } from '../../core/logging/app-logger';
import type { CertificateBundle } from '../certificate-bundle';
import { CertificateStore, StoredAccount } from '../storage/certificate-store';
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
const DIRECTORY_TIMEOUT_MS = 15_000;

/** TLS failures that mean "the directory's certificate is not trusted", which has a fix the user can apply. */
const UNTRUSTED = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT/;

/** What a CA says when it no longer knows a stored account (its data was reset, as Pebble's is on restart). */
const ACCOUNT_GONE = /account.*(does ?not exist|not found)|no account exists/i;

/**
 * acme-client retries a request that got no answer five times, waiting 5 s longer each time, and then
 * fails with a TypeError that hides the cause. Our own back-off retries whole orders and the directory
 * is probed first (with a useful message), so two quick tries are enough; a request that hangs is cut
 * off rather than holding the order. Its debug lines go to our log at debug level.
 */
function tuneAcmeClient(logger: AppLogger): void {
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & {
    acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number };
  };
  defaults.acmeSettings.retryMaxAttempts = 2;
  defaults.acmeSettings.retryDefaultDelay = 1;
  defaults.timeout = 30_000;
  acme.setLogger((message: string) => logger.debug(message, 'Acme'));
}

/**
 * Orders a certificate from an RFC 8555 directory with acme-client: the only place that knows the
 * library. One account per directory, registered once and kept (key sealed) in the store.
 */
@Injectable()
export class AcmeIssuer {
  constructor(
    private readonly store: CertificateStore,
    private readonly http01: Http01Challenges,
    private readonly dns01: Dns01Solver,
    private readonly logger: AppLogger,
  ) {
    tuneAcmeClient(logger);
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
    await probeDirectory(order.directoryUrl);
    const account = await this.account(order);
    try {
      return await this.place(order, account);
    } catch (error) {
      if (!account.url || !ACCOUNT_GONE.test(describe(error))) throw error;
      this.logger.event(
        'warn',
        { context: 'Certs', directory: order.directoryUrl },
        'The ACME server no longer knows our account; registering again',
      );
      return this.place(order, await this.register(order, { keyPem: account.keyPem }));
    }
  }

  private async place(order: AcmeOrder, account: StoredAccount): Promise<CertificateBundle> {
    const client = this.client(order.directoryUrl, account);
    if (account.email !== order.email) {
      await client.updateAccount({ contact: order.email ? [`mailto:${order.email}`] : [] });
      await this.store.saveAccount(order.directoryUrl, { ...account, email: order.email });
    }
    // A fresh key for every certificate: a renewal also rotates the key.
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: order.names[0].length <= 64 ? order.names[0] : undefined, altNames: order.names },
      await acme.crypto.createPrivateEcdsaKey(),
    );
    this.logger.event(
      'info',
      { context: 'Certs', names: order.names, challenge: order.challenge, directory: order.directoryUrl },
      'Ordering a certificate',
    );
    const certPem = await client.auto({
      csr,
      challengePriority: [order.challenge],
      // Its own check fetches the challenge through public DNS, which fails behind NAT without hairpinning and
      // waits minutes for a new TXT record; the DNS-01 solver checks the zone's own name servers instead.
      skipChallengeVerification: true,
      challengeCreateFn: (authz, challenge, keyAuthorization) => this.present(authz.identifier.value, challenge, keyAuthorization),
      challengeRemoveFn: (authz, challenge) => this.cleanup(authz.identifier.value, challenge),
    });
    return { certPem, keyPem: key.toString() };
  }

  /** The stored account for this directory, registered first when it has no URL there yet. */
  private async account(order: AcmeOrder): Promise<StoredAccount> {
    const stored = await this.store.loadAccount(order.directoryUrl);
    if (stored?.url) return stored;
    return this.register(order, { keyPem: stored?.keyPem ?? (await acme.crypto.createPrivateEcdsaKey()).toString() });
  }

  private async register(order: AcmeOrder, account: StoredAccount): Promise<StoredAccount> {
    // The key is kept before registering: a crash in between must not leave an account we hold no key for.
    await this.store.saveAccount(order.directoryUrl, { keyPem: account.keyPem });
    const client = this.client(order.directoryUrl, { keyPem: account.keyPem });
    // Configuring SSL_PROVIDER=letsencrypt is the operator's agreement to the CA's terms of service.
    await client.createAccount({ termsOfServiceAgreed: true, ...(order.email ? { contact: [`mailto:${order.email}`] } : {}) });
    const registered: StoredAccount = { keyPem: account.keyPem, url: client.getAccountUrl(), email: order.email };
    await this.store.saveAccount(order.directoryUrl, registered);
    return registered;
  }

  private client(directoryUrl: string, account: StoredAccount): acme.Client {
    return new acme.Client({
      directoryUrl,
      accountKey: account.keyPem,
      accountUrl: account.url,
      // Validation usually completes within a second or two; acme-client's first poll would come after 5 s.
      backoffMin: 1000,
      backoffMax: 30_000,
      backoffAttempts: 12,
    });
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

/**
 * One GET of the directory, trusting what acme-client trusts, so that "unreachable", "not trusted" and
 * "not a directory" are reported as such instead of acme-client's TypeError after its retries.
 */
function probeDirectory(directoryUrl: string): Promise<void> {
  const url = new URL(directoryUrl);
  const secure = url.protocol === 'https:';
  return new Promise<void>((resolve, reject) => {
    const options = { timeout: DIRECTORY_TIMEOUT_MS, headers: { Accept: 'application/json' } };
    const onResponse = (response: IncomingMessage) => {
      response.resume();
      if (response.statusCode === 200) resolve();
      else reject(new Error(`the directory answered HTTP ${response.statusCode}: is ACME_DIRECTORY_URL right?`));
    };
    const outgoing = secure
      ? httpsRequest(url, { ...options, agent: acme.axios.defaults.httpsAgent as Agent | undefined }, onResponse)
      : httpRequest(url, options, onResponse);
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${DIRECTORY_TIMEOUT_MS / 1000} s`)));
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const hint = UNTRUSTED.test(code)
        ? ': its certificate is not trusted (for a private CA, give node its root with NODE_EXTRA_CA_CERTS)'
        : '';
      reject(new Error(`cannot reach the directory (${error.message}${code && !error.message.includes(code) ? `, ${code}` : ''})${hint}`));
    });
    outgoing.end();
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // acme-client's retry interceptor ends a request that never got an answer with this TypeError.
  if (/reading 'config'/.test(error.message)) return 'a request to the ACME server got no answer (network or TLS failure)';
  return error.message;
}
