import type { AppLogger } from '../../core/logging/app-logger';
import type { CertsSettings } from '../certs-settings';
import { CloudflareDns, CloudflareZone, RECORD_COMMENT, TxtRecord } from './cloudflare-dns';
import { challengeRecordName, Dns01Solver } from './dns01-solver';
import type { TxtLookup } from './txt-lookup';

/** Cloudflare as a list of records, and a log of what was asked of it. */
class FakeCloudflareDns {
  readonly log: string[] = [];
  records: (TxtRecord & { content: string; comment: string | null })[] = [];
  private nextId = 1;

  async zoneFor(): Promise<CloudflareZone> {
    return { id: 'zone', name: 'example.com', nameServers: ['ns1.example.net'] };
  }
  async listTxt(_zone: CloudflareZone, name: string) {
    return this.records.filter((record) => record.name === name);
  }
  async createTxt(zone: CloudflareZone, name: string, content: string): Promise<TxtRecord> {
    const record = { zoneId: zone.id, id: `r${this.nextId++}`, name, content, comment: RECORD_COMMENT };
    this.records.push(record);
    this.log.push(`create ${content}`);
    return record;
  }
  async deleteRecord(record: TxtRecord): Promise<void> {
    this.records = this.records.filter((existing) => existing.id !== record.id);
    this.log.push(`delete ${record.id}`);
  }
}

describe('Dns01Solver', () => {
  let cloudflare: FakeCloudflareDns;
  let asked: string[][];
  let solver: Dns01Solver;

  beforeEach(() => {
    cloudflare = new FakeCloudflareDns();
    asked = [];
    const lookup = {
      visible: async (name: string, value: string, servers: string[]) => {
        asked.push(servers);
        return cloudflare.records.some((record) => record.name === name && record.content === value);
      },
      addressesOf: async () => ['192.0.2.53'],
    };
    const settings = { dnsResolvers: [] } as unknown as CertsSettings;
    const logger = { event: () => undefined } as unknown as AppLogger;
    solver = new Dns01Solver(cloudflare as unknown as CloudflareDns, lookup as unknown as TxtLookup, settings, logger);
  });

  it.each([
    ['example.com', '_acme-challenge.example.com'],
    ['*.example.com', '_acme-challenge.example.com'],
    ['a.b.example.com.', '_acme-challenge.a.b.example.com'],
  ])('puts the record for %s at %s', (identifier, name) => {
    expect(challengeRecordName(identifier)).toBe(name);
  });

  it('keeps both values of a wildcard and its apex until the last challenge on the name is done', async () => {
    await Promise.all([solver.present('*.example.com', 'wild'), solver.present('example.com', 'apex')]);
    expect(cloudflare.records.map((record) => record.content).sort()).toEqual(['apex', 'wild']);
    // Checked on the zone's own name servers, not through a caching resolver.
    expect(asked).toEqual([['192.0.2.53'], ['192.0.2.53']]);

    await solver.cleanup('*.example.com');
    expect(cloudflare.records).toHaveLength(2);
    await solver.cleanup('example.com');
    expect(cloudflare.records).toEqual([]);
  });

  it('removes records a crashed run left behind, but not the user’s own', async () => {
    cloudflare.records.push(
      { zoneId: 'zone', id: 'old', name: '_acme-challenge.example.com', content: 'stale', comment: RECORD_COMMENT },
      { zoneId: 'zone', id: 'mine', name: '_acme-challenge.example.com', content: 'user', comment: null },
    );
    await solver.present('example.com', 'fresh');
    expect(cloudflare.records.map((record) => record.id)).toEqual(['mine', 'r1']);
    await solver.cleanup('example.com');
    expect(cloudflare.records.map((record) => record.id)).toEqual(['mine']);
  });

  it('balances a present() that failed half-way, so the next order starts afresh', async () => {
    const create = cloudflare.createTxt.bind(cloudflare);
    cloudflare.createTxt = async () => {
      throw new Error('Cloudflare refused POST');
    };
    await expect(solver.present('example.com', 'value')).rejects.toThrow('Cloudflare refused POST');
    await solver.cleanup('example.com');

    cloudflare.createTxt = create;
    await solver.present('example.com', 'again');
    await solver.cleanup('example.com');
    expect(cloudflare.log).toEqual(['create again', 'delete r1']);
  });
});
