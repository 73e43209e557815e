import { Injectable } from '@nestjs/common';
import { Client, Device } from '@runonflux/nat-upnp';
import { withTimeout } from '../with-timeout';
import { GatewayMapping, toGatewayMapping } from './gateway-mapping';
import { describeGatewayError, GatewayAnswerError, GatewayRefusedError, NoGatewayError, UPNP_ERRORS } from './upnp-errors';

/** A gateway found by SSDP. */
export interface GatewayHandle {
  /** Its device description URL. */
  location: string;
  /** Our address on the interface it answered on. */
  localAddress: string;
}

export interface MappingRequest {
  externalPort: number;
  internalPort: number;
  internalClient: string;
  protocol: 'TCP';
  description: string;
  /** 0 = permanent. */
  leaseSec: number;
}

/** Far more entries than any home router holds: a gateway that never says "end of table" cannot loop us forever. */
const MAX_TABLE_ENTRIES = 256;

/**
 * The one place that talks UPnP IGD, through `@runonflux/nat-upnp` 1.0.2 (the maintained fork:
 * `nat-upnp` 1.1.1 cannot find the WANIPConnection:2 service of IGDv2 gateways such as miniupnpd).
 * What this wrapper adds to the library:
 * - a bound on every call: the library bounds only the SSDP search, and its HTTP requests have none;
 * - discovery once, then SOAP calls on that gateway (the library's client searches again before every call);
 * - its own table listing, since `getMappings()` throws "Incorrect response" on an empty table and
 *   reports every entry as disabled;
 * - errors a user can act on (UPnP fault codes, an unreadable description) instead of the raw ones.
 */
@Injectable()
export class UpnpClient {
  /** Searches for an Internet Gateway Device over SSDP on every interface of this machine. */
  async discover(timeoutMs: number): Promise<GatewayHandle> {
    const client = new Client({ timeout: timeoutMs });
    try {
      const { gateway, address } = await withTimeout(client.getGateway(), timeoutMs + 250, 'SSDP search did not end');
      return { location: gateway.description, localAddress: address };
    } catch {
      throw new NoGatewayError(`no UPnP gateway answered an SSDP search within ${timeoutMs} ms (is UPnP enabled on the router?)`);
    } finally {
      closeQuietly(client);
    }
  }

  async externalIp(gateway: GatewayHandle, timeoutMs: number): Promise<string> {
    const body = await this.run(gateway, 'GetExternalIPAddress', [], timeoutMs);
    const answer = (body as Record<string, { NewExternalIPAddress?: unknown } | undefined>)['GetExternalIPAddressResponse'];
    const ip = answer?.NewExternalIPAddress;
    if (ip === undefined || ip === null || String(ip).trim() === '')
      throw new GatewayAnswerError('the gateway did not tell its external IP address');
    return String(ip).trim();
  }

  async addMapping(gateway: GatewayHandle, request: MappingRequest, timeoutMs: number): Promise<void> {
    await this.run(
      gateway,
      'AddPortMapping',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', request.externalPort],
        ['NewProtocol', request.protocol],
        ['NewInternalPort', request.internalPort],
        ['NewInternalClient', request.internalClient],
        ['NewEnabled', 1],
        ['NewPortMappingDescription', request.description],
        ['NewLeaseDuration', request.leaseSec],
      ],
      timeoutMs,
    );
  }

  async removeMapping(gateway: GatewayHandle, externalPort: number, protocol: 'TCP' | 'UDP', timeoutMs: number): Promise<void> {
    await this.run(
      gateway,
      'DeletePortMapping',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', externalPort],
        ['NewProtocol', protocol],
      ],
      timeoutMs,
    );
  }

  /** The whole table, read entry by entry until the gateway says the index is past the end. */
  async listMappings(gateway: GatewayHandle, timeoutMs: number): Promise<GatewayMapping[]> {
    const mappings: GatewayMapping[] = [];
    for (let index = 0; index < MAX_TABLE_ENTRIES; index++) {
      let body: unknown;
      try {
        body = await this.run(gateway, 'GetGenericPortMappingEntry', [['NewPortMappingIndex', index]], timeoutMs);
      } catch (error) {
        if (isEndOfTable(error)) break;
        throw error;
      }
      const mapping = toGatewayMapping(body);
      if (!mapping) throw new GatewayAnswerError(`the gateway sent an unreadable port-mapping entry at index ${index}`);
      mappings.push(mapping);
    }
    return mappings;
  }

  private async run(gateway: GatewayHandle, action: string, args: (string | number)[][], timeoutMs: number): Promise<unknown> {
    try {
      return await withTimeout(
        new Device(gateway.location).run(action, args),
        timeoutMs,
        `the gateway did not answer ${action} within ${timeoutMs} ms`,
      );
    } catch (error) {
      throw describeGatewayError(error, action, gateway.location);
    }
  }
}

/** 713 is the spec's "past the end"; some gateways say 714, or 402/501 for an index they do not like. */
const END_OF_TABLE_CODES: readonly number[] = [UPNP_ERRORS.arrayIndexInvalid, UPNP_ERRORS.noSuchEntry, 402, 501];

function isEndOfTable(error: unknown): boolean {
  return error instanceof GatewayRefusedError && END_OF_TABLE_CODES.includes(error.code);
}

/**
 * The library binds its SSDP sockets on the tick after the client is made; closing before that would
 * make the bind throw outside any promise, so the sockets are closed a turn later.
 */
function closeQuietly(client: Client): void {
  setImmediate(() => {
    try {
      client.close();
    } catch {
      // Already closed (a socket that failed to bind is dropped by the library itself).
    }
  });
}
