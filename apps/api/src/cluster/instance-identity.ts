import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../core/config/app-config';

/** Marks a request one instance passed to another: the receiver handles it itself, never forwards it again. */
export const FORWARDED_BY_HEADER = 'x-mcp-proxy-forwarded-by';
/** On a 503 from an instance that is stopping: the forwarding instance sends the request elsewhere. */
export const DRAINING_HEADER = 'x-mcp-proxy-draining';

/**
 * This instance in a cluster: its name (the owner recorded in leases) and the address the others
 * use to reach it. Cluster mode is on only with INSTANCE_URL (which needs REDIS_URL and PostgreSQL).
 */
export class InstanceIdentity {
  constructor(
    readonly id: string,
    readonly url: string | null,
  ) {}

  get clustered(): boolean {
    return this.url !== null;
  }

  static fromConfig(config: AppConfig): InstanceIdentity {
    const id = config.get('INSTANCE_ID') ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    return new InstanceIdentity(id, config.get('INSTANCE_URL')?.replace(/\/+$/, '') ?? null);
  }
}
