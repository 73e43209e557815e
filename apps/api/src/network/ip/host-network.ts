import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { DefaultRoute, defaultRouteFrom, InterfaceAddress } from './default-route';

/** This machine's interfaces and routes, behind a class a test can replace. */
@Injectable()
export class HostNetwork {
  /** Linux only; elsewhere (or without /proc) the interface list alone decides. */
  async defaultRoute(): Promise<DefaultRoute | null> {
    try {
      return defaultRouteFrom(await readFile('/proc/net/route', 'utf8'));
    } catch {
      return null;
    }
  }

  addresses(): InterfaceAddress[] {
    return Object.entries(networkInterfaces()).flatMap(([name, entries]) =>
      (entries ?? []).map((entry) => ({ name, address: entry.address, family: entry.family, internal: entry.internal })),
    );
  }
}
