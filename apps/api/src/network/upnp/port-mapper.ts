import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { UpnpMappingView, UpnpPortResultView, UpnpState, UpnpView } from '@mcp-proxy/shared/dto';
import { AppLogger } from '../../core/logging/app-logger';
import { Clock } from '../../core/time/clock';
import { MAPPING_DESCRIPTION_PREFIX, NETWORK_SETTINGS, NetworkSettings } from '../network-settings';
import { withTimeout } from '../with-timeout';
import { GatewayMapping } from './gateway-mapping';
import { GatewayHandle, UpnpClient } from './upnp-client';
import { GatewayRefusedError, isGatewayAnswer, UPNP_ERRORS } from './upnp-errors';

/** How soon to search again after no gateway answered, or contact with it was lost. */
export const RETRY_MS = 60_000;
/** Permanent mappings are re-added this often anyway: a router that rebooted has forgotten them. */
export const PERMANENT_RECHECK_MS = 10 * 60_000;

type Listener = () => void;

/**
 * The proxy's UPnP port mappings: finds the gateway, maps the ports asked for (all three with
 * AUTO_MAP_PORTS), re-adds them at half their lease, and removes them on shutdown. Operations run one
 * at a time, each bounded by UPNP_TIMEOUT_MS per gateway call, and never throw: what went wrong is in
 * the state and reason that `view()` shows.
 */
@Injectable()
export class PortMapper implements OnApplicationBootstrap, OnModuleDestroy {
  private state: UpnpState;
  private reason: string | null = null;
  private gateway: GatewayHandle | null = null;
  private externalIp: string | null = null;
  private table: GatewayMapping[] = [];
  /** Ports we keep mapped until unmapped or shutdown. */
  private readonly wanted = new Set<number>();
  /** Ports the gateway accepted from us and that we have not removed. */
  private readonly mappedByUs = new Set<number>();
  private readonly portErrors = new Map<number, string>();
  /** Ports we had mapped and still want, which the gateway no longer forwards to us: why. */
  private readonly lost = new Map<number, string>();
  private leaseSec: number;
  private refreshedAt: number | null = null;
  private nextRefreshAt: number | null = null;
  private timer: { cancel(): void } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly listeners = new Set<Listener>();

  constructor(
    @Inject(NETWORK_SETTINGS) private readonly settings: NetworkSettings,
    private readonly upnp: UpnpClient,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {
    this.state = settings.upnpEnabled ? 'discovering' : 'disabled';
    this.reason = settings.upnpEnabled ? 'searching for a UPnP gateway' : 'UPnP is off (ENABLE_UPNP=false)';
    this.leaseSec = settings.leaseSec;
  }

  /** Not awaited by start-up: a slow or missing gateway must not delay the proxy. */
  onApplicationBootstrap(): void {
    if (!this.settings.upnpEnabled) return;
    if (this.settings.autoMap) for (const { port } of this.settings.ports) this.wanted.add(port);
    void this.enqueue(() => this.sync());
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.timer?.cancel();
    if (!this.settings.upnpEnabled) return;
    const bound = this.settings.upnpTimeoutMs * (this.settings.ports.length + 2);
    await withTimeout(
      this.enqueue(() => this.removeOurs()),
      bound,
      'removing the UPnP mappings took too long',
    ).catch((error: unknown) => this.logger.warn(`UPnP: ${messageOf(error)}`, 'Network'));
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the operations queued so far are done; never rejects. */
  settled(): Promise<void> {
    return this.queue;
  }

  gatewayExternalIp(): string | null {
    return this.externalIp;
  }

  /** Whether the gateway's table, as last read, forwards this TCP port to us. */
  isMapped(port: number): boolean {
    const address = this.internalClient();
    return this.table.some(
      (entry) => entry.externalPort === port && entry.protocol === 'TCP' && entry.internalClient === address && entry.enabled,
    );
  }

  mapError(port: number): string | null {
    return this.portErrors.get(port) ?? null;
  }

  /** Mappings we held and still want that are gone (the gateway dropped them, or stopped answering): for /health. */
  lostMappings(): { port: number; reason: string }[] {
    return [...this.lost].map(([port, reason]) => ({ port, reason }));
  }

  view(): UpnpView {
    return {
      enabled: this.settings.upnpEnabled,
      autoMap: this.settings.autoMap,
      state: this.state,
      reason: this.reason,
      gateway: this.gateway
        ? { location: this.gateway.location, localAddress: this.gateway.localAddress, externalIp: this.externalIp }
        : null,
      mappings: this.table.map((entry) => this.toView(entry)),
      leaseSec: this.leaseSec,
      refreshedAt: iso(this.refreshedAt),
      nextRefreshAt: iso(this.nextRefreshAt),
    };
  }

  /** Maps the ports (default: all three) and keeps them mapped. */
  map(ports: number[]): Promise<UpnpPortResultView[]> {
    return this.enqueue(async () => {
      for (const port of ports) this.wanted.add(port);
      if (!(await this.ensureGateway())) return ports.map((port) => failed(port, this.reason ?? 'no UPnP gateway'));
      const results = await this.addMappings(ports);
      await this.readTable();
      this.scheduleRefresh();
      return results;
    });
  }

  /** Removes our mappings of the ports; a port the router forwards to another device is left alone. */
  unmap(ports: number[]): Promise<UpnpPortResultView[]> {
    return this.enqueue(async () => {
      for (const port of ports) {
        this.wanted.delete(port);
        this.lost.delete(port);
      }
      if (!(await this.ensureGateway())) return ports.map((port) => failed(port, this.reason ?? 'no UPnP gateway'));
      await this.readTable();
      const results: UpnpPortResultView[] = [];
      for (const port of ports) results.push(await this.removeOne(port));
      await this.readTable();
      this.scheduleRefresh();
      return results;
    });
  }

  /** Re-reads the gateway's table (for a port check), if there is a gateway. */
  refreshTable(): Promise<void> {
    return this.enqueue(async () => {
      if (this.gateway) await this.readTable();
    });
  }

  /** The periodic pass: find the gateway if needed, (re)add what we keep mapped, read the table. */
  private async sync(): Promise<void> {
    const known = this.gateway !== null;
    if (!(await this.ensureGateway())) return this.scheduleRefresh();
    // Providers change the outside address now and then; a gateway found just now was asked already.
    if (known) await this.readExternalIp();
    if (this.gateway && this.wanted.size > 0) await this.addMappings([...this.wanted]);
    await this.readTable();
    this.scheduleRefresh();
  }

  /** True when a gateway is known and answering; searches for one when none is. */
  private async ensureGateway(): Promise<boolean> {
    if (this.gateway) return true;
    this.setState('discovering', 'searching for a UPnP gateway');
    try {
      this.gateway = await this.upnp.discover(this.settings.upnpTimeoutMs);
    } catch (error) {
      this.setState('no-gateway', messageOf(error));
      return false;
    }
    this.logger.log(`UPnP gateway found at ${this.gateway.location} (our address ${this.gateway.localAddress})`, 'Network');
    await this.readExternalIp();
    return this.gateway !== null;
  }

  /** A gateway that will not tell its external address is still usable for mappings. */
  private async readExternalIp(): Promise<void> {
    const gateway = this.gateway;
    if (!gateway) return;
    try {
      this.externalIp = await this.upnp.externalIp(gateway, this.settings.upnpTimeoutMs);
      this.setState('ready', null);
    } catch (error) {
      this.externalIp = null;
      if (!isGatewayAnswer(error)) return this.loseGateway(error);
      this.setState('ready', `the gateway would not tell its external IP: ${messageOf(error)}`);
    }
  }

  private async addMappings(ports: number[]): Promise<UpnpPortResultView[]> {
    const results: UpnpPortResultView[] = [];
    for (const port of ports) {
      const result = await this.addOne(port);
      results.push(result);
      if (!this.gateway) break;
    }
    // Ports not tried because contact was lost get the same reason.
    for (const port of ports.slice(results.length)) results.push(failed(port, this.reason ?? 'lost contact with the gateway'));
    const refused = results.filter((result) => !result.ok);
    if (this.gateway) {
      this.refreshedAt = this.clock.now();
      this.setState(
        'ready',
        refused.length > 0 ? refused.map((result) => `port ${result.port}: ${result.error}`).join('; ') : this.externalIpProblem(),
      );
    }
    return results;
  }

  private async addOne(port: number): Promise<UpnpPortResultView> {
    const gateway = this.gateway as GatewayHandle;
    const request = {
      externalPort: port,
      internalPort: port,
      internalClient: this.internalClient() as string,
      protocol: 'TCP' as const,
      description: this.descriptionOf(port),
      leaseSec: this.leaseSec,
    };
    try {
      try {
        await this.upnp.addMapping(gateway, request, this.settings.upnpTimeoutMs);
      } catch (error) {
        if (!(error instanceof GatewayRefusedError && error.code === UPNP_ERRORS.onlyPermanentLeasesSupported && this.leaseSec !== 0))
          throw error;
        this.logger.log('UPnP: the gateway only accepts permanent mappings; using lease 0 (removed on shutdown)', 'Network');
        this.leaseSec = 0;
        await this.upnp.addMapping(gateway, { ...request, leaseSec: 0 }, this.settings.upnpTimeoutMs);
      }
      this.mappedByUs.add(port);
      this.portErrors.delete(port);
      this.lost.delete(port);
      return { port, protocol: 'TCP', ok: true, error: null };
    } catch (error) {
      const message = messageOf(error);
      this.portErrors.set(port, message);
      if (!isGatewayAnswer(error)) this.loseGateway(error);
      this.logger.warn(`UPnP: mapping port ${port} failed: ${message}`, 'Network');
      return failed(port, message);
    }
  }

  private async removeOne(port: number): Promise<UpnpPortResultView> {
    const gateway = this.gateway;
    if (!gateway) return failed(port, this.reason ?? 'no UPnP gateway');
    const entry = this.table.find((mapping) => mapping.externalPort === port && mapping.protocol === 'TCP');
    this.portErrors.delete(port);
    if (!entry) {
      this.mappedByUs.delete(port);
      return { port, protocol: 'TCP', ok: true, error: null };
    }
    if (entry.internalClient !== this.internalClient()) {
      return failed(port, `the router forwards port ${port} to another device (${entry.internalClient}); left alone`);
    }
    try {
      await this.upnp.removeMapping(gateway, port, 'TCP', this.settings.upnpTimeoutMs);
      this.mappedByUs.delete(port);
      return { port, protocol: 'TCP', ok: true, error: null };
    } catch (error) {
      if (!isGatewayAnswer(error)) this.loseGateway(error);
      return failed(port, messageOf(error));
    }
  }

  /** On shutdown: only what this process mapped, so another device's forwarding is never touched. */
  private async removeOurs(): Promise<void> {
    const gateway = this.gateway;
    if (!gateway || this.mappedByUs.size === 0) return;
    for (const port of [...this.mappedByUs]) {
      try {
        await this.upnp.removeMapping(gateway, port, 'TCP', this.settings.upnpTimeoutMs);
        this.mappedByUs.delete(port);
      } catch (error) {
        if (error instanceof GatewayRefusedError && error.code === UPNP_ERRORS.noSuchEntry) continue;
        this.logger.warn(`UPnP: could not remove the mapping of port ${port}: ${messageOf(error)}`, 'Network');
      }
    }
    this.logger.log('UPnP: our port mappings are removed', 'Network');
  }

  private async readTable(): Promise<void> {
    if (!this.gateway) return;
    try {
      this.table = await this.upnp.listMappings(this.gateway, this.settings.upnpTimeoutMs);
      for (const port of this.heldPorts()) {
        if (this.isMapped(port)) this.lost.delete(port);
        else this.lost.set(port, this.portErrors.get(port) ?? 'the gateway no longer forwards it');
      }
      this.changed();
    } catch (error) {
      if (!isGatewayAnswer(error)) this.loseGateway(error);
      else this.setState(this.state, `could not read the gateway's mapping table: ${messageOf(error)}`);
    }
  }

  /** A gateway that stopped answering is searched for again at the next pass. */
  private loseGateway(error: unknown): void {
    this.gateway = null;
    this.externalIp = null;
    this.table = [];
    for (const port of this.heldPorts()) this.lost.set(port, `lost contact with the UPnP gateway: ${messageOf(error)}`);
    this.setState('error', `lost contact with the UPnP gateway: ${messageOf(error)}`);
  }

  /** Ports the gateway accepted from us that we still want mapped. */
  private heldPorts(): number[] {
    return [...this.mappedByUs].filter((port) => this.wanted.has(port));
  }

  /** Half the lease, so a slow or failed renewal still has time before the gateway drops the mapping. */
  private scheduleRefresh(): void {
    this.timer?.cancel();
    this.timer = null;
    this.nextRefreshAt = null;
    if (this.closing || !this.settings.upnpEnabled) return;
    let delayMs: number;
    if (!this.gateway) delayMs = this.wanted.size > 0 && this.leaseSec > 0 ? Math.min(RETRY_MS, (this.leaseSec * 1000) / 2) : RETRY_MS;
    else if (this.wanted.size === 0) return;
    else delayMs = this.leaseSec > 0 ? (this.leaseSec * 1000) / 2 : PERMANENT_RECHECK_MS;
    this.nextRefreshAt = this.clock.now() + delayMs;
    this.timer = this.clock.schedule(delayMs, () => void this.enqueue(() => this.sync()));
    this.changed();
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.then(
      () => undefined,
      (error: unknown) => this.logger.error(`UPnP: ${messageOf(error)}`, 'Network'),
    );
    return run;
  }

  private setState(state: UpnpState, reason: string | null): void {
    this.state = state;
    this.reason = reason;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error(`network status listener failed: ${messageOf(error)}`, 'Network');
      }
    }
  }

  private externalIpProblem(): string | null {
    return this.externalIp ? null : 'the gateway would not tell its external IP';
  }

  /** PRIVATE_IP when set, else our address on the link the gateway answered on. */
  private internalClient(): string | null {
    return this.settings.privateIpOverride ?? this.gateway?.localAddress ?? null;
  }

  private descriptionOf(port: number): string {
    return this.settings.ports.find((candidate) => candidate.port === port)?.description ?? `${MAPPING_DESCRIPTION_PREFIX} port ${port}`;
  }

  private toView(entry: GatewayMapping): UpnpMappingView {
    const ours =
      entry.internalClient === this.internalClient() &&
      entry.description.startsWith(MAPPING_DESCRIPTION_PREFIX) &&
      this.settings.ports.some((candidate) => candidate.port === entry.externalPort);
    return { ...entry, ours };
  }
}

function failed(port: number, error: string): UpnpPortResultView {
  return { port, protocol: 'TCP', ok: false, error };
}

function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
