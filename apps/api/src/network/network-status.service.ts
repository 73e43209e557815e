import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { NetworkPortView, NetworkStatusView, PortReachability, UpnpView } from '@mcp-proxy/shared/dto';
import { Clock } from '../core/time/clock';
import { isNonPublicIpv4, pickPrivateIp } from './ip/default-route';
import { HostNetwork } from './ip/host-network';
import { LookupResult, PublicIpLookup } from './ip/public-ip-lookup';
import { NETWORK_EVENTS } from './network-events';
import { NETWORK_SETTINGS, NetworkSettings } from './network-settings';
import { portForwardingInstructions } from './port-forwarding';
import { PortMapper } from './upnp/port-mapper';
import { delay } from './with-timeout';

/** `GET /api/network/status` answers within this, whatever the gateway or the lookups are doing. */
export const STATUS_WAIT_MS = 4000;
/** A public IP found over HTTP is asked again after this; a failed lookup sooner. */
const PUBLIC_IP_TTL_MS = 10 * 60_000;
const PUBLIC_IP_RETRY_MS = 60_000;
/** Interfaces change (DHCP, Wi-Fi): the private address is read again after this. */
const PRIVATE_IP_TTL_MS = 30_000;

interface PublicIp {
  ip: string | null;
  source: NetworkStatusView['publicIpSource'];
  reason: string | null;
}

export interface PortCheckRecord {
  reachable: PortReachability;
  checkedAt: string;
}

/**
 * The network status: addresses (overrides, then detection), the UPnP state, each port's mapping and
 * last reachability, and the manual port-forwarding steps when UPnP does not cover the ports. Every
 * change is published as `network.changed` for the live gateway.
 */
@Injectable()
export class NetworkStatusService implements OnModuleInit, OnModuleDestroy {
  private privateIp: { ip: string; source: 'default-route' | 'interface' } | null = null;
  private routerIp: string | null = null;
  private privateReadAt: number | null = null;
  private httpLookup: { result: LookupResult; at: number } | null = null;
  private httpLookupRunning: Promise<void> | null = null;
  private readonly checks = new Map<number, PortCheckRecord>();
  private unsubscribe: (() => void) | null = null;
  private publishPending = false;

  constructor(
    @Inject(NETWORK_SETTINGS) private readonly settings: NetworkSettings,
    private readonly mapper: PortMapper,
    private readonly host: HostNetwork,
    private readonly lookup: PublicIpLookup,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.mapper.onChange(() => this.publish());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Brings stale parts up to date (bounded by STATUS_WAIT_MS), then answers with what is known. */
  async status(): Promise<NetworkStatusView> {
    await Promise.race([this.refresh(), delay(STATUS_WAIT_MS)]);
    return this.view();
  }

  /** Port mappings we held that the gateway dropped or can no longer be asked about (for /health), by port name. */
  lostMappings(): { name: string; reason: string }[] {
    return this.mapper
      .lostMappings()
      .map(({ port, reason }) => ({ name: `${this.settings.ports.find((entry) => entry.port === port)?.name ?? 'port'} ${port}`, reason }));
  }

  /** What is known now, without waiting for anything. */
  view(): NetworkStatusView {
    const upnp = this.mapper.view();
    const publicIp = this.publicIp();
    const ports: NetworkPortView[] = this.settings.ports.map(({ name, port }) => ({
      name,
      port,
      protocol: 'TCP',
      mapped: this.mapper.isMapped(port),
      mapError: this.mapper.mapError(port),
      reachable: this.checks.get(port)?.reachable ?? 'unknown',
      checkedAt: this.checks.get(port)?.checkedAt ?? null,
    }));
    const reason = forwardingReason(upnp, ports);
    const privateIp = this.privateIpNow();
    return {
      publicIp: publicIp.ip,
      publicIpSource: publicIp.source,
      publicIpReason: publicIp.reason,
      privateIp: privateIp.ip,
      privateIpSource: privateIp.source,
      upnp,
      ports,
      portForwarding: reason
        ? portForwardingInstructions({
            reason,
            ports: this.settings.ports,
            privateIp: privateIp.ip,
            publicIp: publicIp.ip,
            routerIp: this.routerIp,
          })
        : null,
      updatedAt: new Date(this.clock.now()).toISOString(),
    };
  }

  /** Stores the outcome of a port check, for the status and the live channel. */
  recordChecks(records: Map<number, PortCheckRecord>): void {
    for (const [port, record] of records) this.checks.set(port, record);
    this.publish();
  }

  /** Fresh addresses and a settled gateway, for a port check; bounded like `status()`. */
  async refresh(): Promise<void> {
    await Promise.all([this.readPrivateIp(), this.mapper.settled()]);
    await this.lookUpPublicIpIfNeeded();
  }

  private publicIp(): PublicIp {
    if (this.settings.publicIpOverride) return { ip: this.settings.publicIpOverride, source: 'override', reason: null };
    const fromGateway = this.mapper.gatewayExternalIp();
    if (fromGateway && !isNonPublicIpv4(fromGateway)) return { ip: fromGateway, source: 'upnp', reason: null };
    const doubleNat = fromGateway
      ? `the gateway's external address ${fromGateway} is not public (another router or carrier-grade NAT in front of it)`
      : null;
    const result = this.httpLookup?.result;
    if (result && result.ip !== null) return { ip: result.ip, source: 'http', reason: doubleNat };
    const lookupState = result ? result.reason : this.httpLookupRunning ? 'looking up the public IP' : 'not looked up yet';
    return { ip: null, source: null, reason: [doubleNat, lookupState].filter(Boolean).join('; ') };
  }

  private privateIpNow(): { ip: string | null; source: NetworkStatusView['privateIpSource'] } {
    if (this.settings.privateIpOverride) return { ip: this.settings.privateIpOverride, source: 'override' };
    return this.privateIp ? { ip: this.privateIp.ip, source: this.privateIp.source } : { ip: null, source: null };
  }

  private async readPrivateIp(): Promise<void> {
    const now = this.clock.now();
    if (this.privateReadAt !== null && now - this.privateReadAt < PRIVATE_IP_TTL_MS) return;
    const route = await this.host.defaultRoute();
    const before = `${this.privateIp?.ip}/${this.routerIp}`;
    this.privateIp = pickPrivateIp(route, this.host.addresses());
    this.routerIp = route?.gateway ?? null;
    this.privateReadAt = now;
    if (`${this.privateIp?.ip}/${this.routerIp}` !== before) this.publish();
  }

  /** Over HTTP only when neither PUBLIC_IP nor the gateway gives a public address; one lookup at a time. */
  private async lookUpPublicIpIfNeeded(): Promise<void> {
    if (this.settings.publicIpOverride) return;
    const fromGateway = this.mapper.gatewayExternalIp();
    if (fromGateway && !isNonPublicIpv4(fromGateway)) return;
    const last = this.httpLookup;
    if (last && this.clock.now() - last.at < (last.result.ip ? PUBLIC_IP_TTL_MS : PUBLIC_IP_RETRY_MS)) return;
    this.httpLookupRunning ??= this.lookup
      .lookup(this.settings.publicIpUrls, this.settings.httpTimeoutMs)
      .then((result) => {
        this.httpLookup = { result, at: this.clock.now() };
      })
      .finally(() => {
        this.httpLookupRunning = null;
        this.publish();
      });
    await this.httpLookupRunning;
  }

  /** Several changes in one turn (a state, then the table) go out as one message. */
  private publish(): void {
    if (this.publishPending) return;
    this.publishPending = true;
    setImmediate(() => {
      this.publishPending = false;
      this.events.emit(NETWORK_EVENTS.changed, this.view());
    });
  }
}

/** Why the user should forward ports by hand, or null when UPnP maps all of them. */
function forwardingReason(upnp: UpnpView, ports: NetworkPortView[]): string | null {
  if (!upnp.enabled) return 'UPnP is off (ENABLE_UPNP=false): forward the ports on the router by hand, or turn UPnP on.';
  if (upnp.state !== 'ready') return `UPnP did not work (${upnp.reason ?? upnp.state}): forward the ports on the router by hand.`;
  const unmapped = ports.filter((port) => !port.mapped);
  if (unmapped.length === 0) return null;
  const failures = unmapped.filter((port) => port.mapError).map((port) => `port ${port.port}: ${port.mapError}`);
  if (failures.length > 0) return `The gateway did not map every port (${failures.join('; ')}): forward those on the router by hand.`;
  return `Ports ${unmapped.map((port) => port.port).join(', ')} are not mapped: map them with UPnP (POST /api/network/upnp/map, or AUTO_MAP_PORTS=true) or forward them on the router by hand.`;
}
