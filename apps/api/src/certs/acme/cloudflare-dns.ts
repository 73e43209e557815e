import { Inject, Injectable } from '@nestjs/common';
import { CERTS_SETTINGS, CertsSettings } from '../certs-settings';

/** A TXT record we created, with what is needed to delete it. */
export interface TxtRecord {
  zoneId: string;
  id: string;
  name: string;
}

export interface CloudflareZone {
  id: string;
  name: string;
  nameServers: string[];
}

/** Marks our records, so ones left by a crash can be told from the user's own. */
export const RECORD_COMMENT = 'mcp-proxy ACME DNS-01 challenge';

const REQUEST_TIMEOUT_MS = 15_000;

interface Envelope<T> {
  success: boolean;
  errors?: { code: number; message: string }[];
  result: T;
}

/** The few calls of Cloudflare's v4 DNS API that DNS-01 needs: the network seam of the Cloudflare solver. */
@Injectable()
export class CloudflareDns {
  private readonly zones = new Map<string, Promise<CloudflareZone>>();

  constructor(@Inject(CERTS_SETTINGS) private readonly settings: CertsSettings) {}

  /** The zone that holds `name`: the longest suffix of it that the token can see. */
  zoneFor(name: string): Promise<CloudflareZone> {
    const key = name.replace(/\.$/, '').toLowerCase();
    let zone = this.zones.get(key);
    if (!zone) {
      // A failed look-up is not remembered: the token's permissions may be fixed before the retry.
      zone = this.findZone(key.split('.')).catch((error: unknown) => {
        this.zones.delete(key);
        throw error;
      });
      this.zones.set(key, zone);
    }
    return zone;
  }

  async createTxt(zone: CloudflareZone, name: string, content: string): Promise<TxtRecord> {
    const record = await this.call<{ id: string }>('POST', `/zones/${zone.id}/dns_records`, {
      type: 'TXT',
      name,
      content,
      ttl: 60,
      comment: RECORD_COMMENT,
    });
    return { zoneId: zone.id, id: record.id, name };
  }

  async listTxt(zone: CloudflareZone, name: string): Promise<(TxtRecord & { content: string; comment: string | null })[]> {
    const query = new URLSearchParams({ type: 'TXT', name, per_page: '100' });
    const records = await this.call<{ id: string; name: string; content: string; comment?: string | null }[]>(
      'GET',
      `/zones/${zone.id}/dns_records?${query}`,
    );
    return records.map((record) => ({
      zoneId: zone.id,
      id: record.id,
      name: record.name,
      content: record.content,
      comment: record.comment ?? null,
    }));
  }

  async deleteRecord(record: TxtRecord): Promise<void> {
    await this.call('DELETE', `/zones/${record.zoneId}/dns_records/${record.id}`);
  }

  private async findZone(labels: string[]): Promise<CloudflareZone> {
    for (let start = 0; start < labels.length - 1; start++) {
      const candidate = labels.slice(start).join('.');
      const found = await this.call<{ id: string; name: string; name_servers?: string[] }[]>(
        'GET',
        `/zones?name=${encodeURIComponent(candidate)}`,
      );
      if (found.length > 0) return { id: found[0].id, name: found[0].name, nameServers: found[0].name_servers ?? [] };
    }
    throw new Error(
      `No Cloudflare zone for ${labels.join('.')} is visible to CLOUDFLARE_TOKEN (it needs Zone:Read and DNS:Edit on that zone)`,
    );
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const cloudflare = this.settings.cloudflare;
    if (!cloudflare) throw new Error('CLOUDFLARE_TOKEN is not set');
    let response: Response;
    try {
      response = await fetch(`${cloudflare.apiUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { Authorization: `Bearer ${cloudflare.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(`Cannot reach Cloudflare's API at ${cloudflare.apiUrl}: ${causeOf(error)}`);
    }
    const envelope = (await response.json().catch(() => undefined)) as Envelope<T> | undefined;
    if (response.ok && envelope?.success) return envelope.result;
    const reasons = envelope?.errors?.map((error) => `${error.message} (${error.code})`).join('; ') || `HTTP ${response.status}`;
    const hint =
      response.status === 401 || response.status === 403 ? ': check that CLOUDFLARE_TOKEN is valid and may edit DNS of the zone' : '';
    throw new Error(`Cloudflare refused ${method} ${path.split('?')[0]}: ${reasons}${hint}`);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
