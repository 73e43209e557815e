import { Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

const QUERY_TIMEOUT_MS = 3000;

/** DNS queries for DNS-01: the resolver seam. */
@Injectable()
export class TxtLookup {
  /**
   * Whether every server (`ip` or `ip:port`; none: the system's resolvers) answers `value` among the
   * TXT records of `name`. Each server is asked on its own: one that lags is exactly what we wait for.
   */
  async visible(name: string, value: string, servers: string[]): Promise<boolean> {
    const resolvers = servers.length === 0 ? [this.resolver()] : servers.map((server) => this.resolver([server]));
    const answers = await Promise.all(resolvers.map((resolver) => resolver.resolveTxt(name).catch(() => [] as string[][])));
    return answers.every((records) => records.some((chunks) => chunks.join('') === value));
  }

  /** IPv4 addresses of name servers given by name (a zone's NS), through the system's resolvers. */
  async addressesOf(hosts: string[]): Promise<string[]> {
    const resolver = this.resolver();
    const found = await Promise.all(hosts.map((host) => (isIP(host) ? Promise.resolve([host]) : resolver.resolve4(host).catch(() => []))));
    return found.flat();
  }

  private resolver(servers?: string[]): Resolver {
    const resolver = new Resolver({ timeout: QUERY_TIMEOUT_MS, tries: 1 });
    if (servers) resolver.setServers(servers);
    return resolver;
  }
}
