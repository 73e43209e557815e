import { Inject, Injectable } from '@nestjs/common';
import { AppLogger } from '../../core/logging/app-logger';
import { CERTS_SETTINGS, CertsSettings } from '../certs-settings';
import { CloudflareDns, CloudflareZone, RECORD_COMMENT, TxtRecord } from './cloudflare-dns';
import { TxtLookup } from './txt-lookup';

/** Cloudflare usually serves a new record within seconds; past this we let the CA decide rather than give up. */
export const PROPAGATION_TIMEOUT_MS = 120_000;
export const PROPAGATION_POLL_MS = 2000;

interface PendingName {
  /** Challenges still using this TXT name: a wildcard and its apex share one. */
  users: number;
  records: TxtRecord[];
  /** Zone found and leftovers of a crashed run removed; every record of this name waits for it. */
  ready: Promise<CloudflareZone>;
}

/** `example.com` and `*.example.com` both answer at `_acme-challenge.example.com`. */
export function challengeRecordName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/^\*\./, '').replace(/\.$/, '')}`;
}

/**
 * DNS-01 through Cloudflare: creates the TXT record, waits until the zone's name servers (or
 * ACME_DNS_RESOLVERS) answer it, and removes it afterwards — only once no pending challenge still
 * uses the name, since the CA may still be looking up the other value.
 */
@Injectable()
export class Dns01Solver {
  private readonly names = new Map<string, PendingName>();

  constructor(
    private readonly cloudflare: CloudflareDns,
    private readonly lookup: TxtLookup,
    @Inject(CERTS_SETTINGS) private readonly settings: CertsSettings,
    private readonly logger: AppLogger,
  ) {}

  async present(identifier: string, value: string): Promise<void> {
    const name = challengeRecordName(identifier);
    // Counted before anything can fail: the ACME client calls cleanup() even when present() throws.
    const pending = this.names.get(name) ?? this.open(name);
    pending.users += 1;
    const zone = await pending.ready;
    pending.records.push(await this.cloudflare.createTxt(zone, name, value));
    await this.waitUntilVisible(zone, name, value);
  }

  async cleanup(identifier: string): Promise<void> {
    const name = challengeRecordName(identifier);
    const pending = this.names.get(name);
    if (!pending) return;
    pending.users -= 1;
    if (pending.users > 0) return;
    this.names.delete(name);
    await pending.ready.catch(() => undefined);
    const results = await Promise.allSettled(pending.records.map((record) => this.cloudflare.deleteRecord(record)));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.event(
          'warn',
          { context: 'Certs', name, reason: String(result.reason) },
          'Could not remove a DNS-01 TXT record; delete it by hand',
        );
      }
    }
  }

  private open(name: string): PendingName {
    const pending: PendingName = { users: 0, records: [], ready: this.prepare(name) };
    // Rejections are awaited by present(); this keeps one that nobody awaits yet from being reported as unhandled.
    pending.ready.catch(() => undefined);
    this.names.set(name, pending);
    return pending;
  }

  private async prepare(name: string): Promise<CloudflareZone> {
    const zone = await this.cloudflare.zoneFor(name);
    const leftovers = (await this.cloudflare.listTxt(zone, name)).filter((record) => record.comment === RECORD_COMMENT);
    await Promise.all(leftovers.map((record) => this.cloudflare.deleteRecord(record)));
    return zone;
  }

  private async waitUntilVisible(zone: CloudflareZone, name: string, value: string): Promise<void> {
    const servers = this.settings.dnsResolvers.length > 0 ? this.settings.dnsResolvers : await this.lookup.addressesOf(zone.nameServers);
    const deadline = Date.now() + PROPAGATION_TIMEOUT_MS;
    while (!(await this.lookup.visible(name, value, servers))) {
      if (Date.now() > deadline) {
        this.logger.event(
          'warn',
          { context: 'Certs', name, servers },
          `The TXT record is not visible after ${PROPAGATION_TIMEOUT_MS / 1000} s; asking the CA to check anyway`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, PROPAGATION_POLL_MS));
    }
  }
}
