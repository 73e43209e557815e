import { AppLogger } from '../../core/logging/app-logger';
import { Clock } from '../../core/time/clock';
import type { NetworkSettings } from '../network-settings';
import { GatewayMapping } from './gateway-mapping';
import { PortMapper, RETRY_MS } from './port-mapper';
import { GatewayHandle, MappingRequest, UpnpClient } from './upnp-client';
import { GatewayAnswerError, GatewayRefusedError, NoGatewayError } from './upnp-errors';

/** A gateway in memory, with the behaviours of real ones that matter here. */
class FakeGateway extends UpnpClient {
  present = true;
  answering = true;
  permanentOnly = false;
  outsideAddress: string | null = '203.0.113.7';
  readonly table = new Map<number, GatewayMapping>();
  readonly calls: string[] = [];

  override async discover(): Promise<GatewayHandle> {
    this.calls.push('discover');
    if (!this.present) throw new NoGatewayError('no UPnP gateway answered an SSDP search within 100 ms');
    return { location: 'http://192.168.1.1:5000/rootDesc.xml', localAddress: '192.168.1.20' };
  }
  override async externalIp(): Promise<string> {
    this.alive();
    if (!this.outsideAddress) throw new GatewayAnswerError('the gateway did not tell its external IP address');
    return this.outsideAddress;
  }
  override async addMapping(_: GatewayHandle, request: MappingRequest): Promise<void> {
    this.alive();
    this.calls.push(`add ${request.externalPort} lease ${request.leaseSec}`);
    if (this.permanentOnly && request.leaseSec !== 0) throw new GatewayRefusedError('AddPortMapping', 725, 'OnlyPermanentLeasesSupported');
    const taken = this.table.get(request.externalPort);
    if (taken && taken.internalClient !== request.internalClient)
      throw new GatewayRefusedError('AddPortMapping', 718, 'ConflictInMappingEntry');
    this.table.set(request.externalPort, { ...request, enabled: true });
  }
  override async removeMapping(_: GatewayHandle, port: number): Promise<void> {
    this.alive();
    this.calls.push(`remove ${port}`);
    if (!this.table.delete(port)) throw new GatewayRefusedError('DeletePortMapping', 714, 'NoSuchEntryInArray');
  }
  override async listMappings(): Promise<GatewayMapping[]> {
    this.alive();
    return [...this.table.values()];
  }
  private alive(): void {
    if (!this.answering) throw new Error('the gateway did not answer within 100 ms');
  }
}

/** Time that moves only when the test says so. */
class ManualClock extends Clock {
  time = 1_000_000;
  private timers: { at: number; run: () => void }[] = [];
  override now(): number {
    return this.time;
  }
  override schedule(ms: number, run: () => void): { cancel(): void } {
    const timer = { at: this.time + ms, run };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((other) => other !== timer)) };
  }
  pending(): number[] {
    return this.timers.map((timer) => timer.at - this.time);
  }
  async advance(ms: number, mapper: PortMapper): Promise<void> {
    this.time += ms;
    const due = this.timers.filter((timer) => timer.at <= this.time);
    this.timers = this.timers.filter((timer) => timer.at > this.time);
    for (const timer of due) timer.run();
    await mapper.settled();
  }
}

const settings = (overrides: Partial<NetworkSettings> = {}): NetworkSettings => ({
  upnpEnabled: true,
  autoMap: true,
  ports: [
    { name: 'api', port: 8437, description: 'MCP Reverse Proxy API' },
    { name: 'admin', port: 3437, description: 'MCP Reverse Proxy admin UI' },
    { name: 'https', port: 8443, description: 'MCP Reverse Proxy HTTPS' },
  ],
  upnpTimeoutMs: 100,
  leaseSec: 3600,
  publicIpOverride: null,
  privateIpOverride: null,
  publicIpUrls: [],
  portCheckUrls: [],
  httpTimeoutMs: 100,
  localProbeHost: '127.0.0.1',
  ...overrides,
});

describe('PortMapper', () => {
  let gateway: FakeGateway;
  let clock: ManualClock;
  const logger = new AppLogger('silent');

  const started = async (overrides: Partial<NetworkSettings> = {}): Promise<PortMapper> => {
    const mapper = new PortMapper(settings(overrides), gateway, clock, logger);
    mapper.onApplicationBootstrap();
    await mapper.settled();
    return mapper;
  };

  beforeEach(() => {
    gateway = new FakeGateway();
    clock = new ManualClock();
  });

  it('with AUTO_MAP_PORTS maps the three ports, named after the product, and renews them at half the lease', async () => {
    const mapper = await started();
    expect(mapper.view()).toMatchObject({
      state: 'ready',
      reason: null,
      gateway: { externalIp: '203.0.113.7', localAddress: '192.168.1.20' },
    });
    expect(
      [...gateway.table.values()].map(({ externalPort, internalClient, description, leaseSec }) => ({
        externalPort,
        internalClient,
        description,
        leaseSec,
      })),
    ).toEqual([
      { externalPort: 8437, internalClient: '192.168.1.20', description: 'MCP Reverse Proxy API', leaseSec: 3600 },
      { externalPort: 3437, internalClient: '192.168.1.20', description: 'MCP Reverse Proxy admin UI', leaseSec: 3600 },
      { externalPort: 8443, internalClient: '192.168.1.20', description: 'MCP Reverse Proxy HTTPS', leaseSec: 3600 },
    ]);
    expect(mapper.view().mappings.every((mapping) => mapping.ours)).toBe(true);
    expect(clock.pending()).toEqual([1800_000]);

    gateway.calls.length = 0;
    await clock.advance(1800_000, mapper);
    expect(gateway.calls).toEqual(['add 8437 lease 3600', 'add 3437 lease 3600', 'add 8443 lease 3600']);
    expect(mapper.view().refreshedAt).toBe(new Date(clock.time).toISOString());
  });

  it('without AUTO_MAP_PORTS finds the gateway but maps nothing until asked', async () => {
    const mapper = await started({ autoMap: false });
    expect(mapper.view().state).toBe('ready');
    expect(gateway.table.size).toBe(0);
    expect(await mapper.map([8437])).toEqual([{ port: 8437, protocol: 'TCP', ok: true, error: null }]);
    expect(mapper.isMapped(8437)).toBe(true);
    expect(mapper.isMapped(3437)).toBe(false);
  });

  it('falls back to a permanent mapping when the gateway accepts no other', async () => {
    gateway.permanentOnly = true;
    const mapper = await started();
    expect(mapper.view()).toMatchObject({ state: 'ready', leaseSec: 0 });
    expect([...gateway.table.values()].every((mapping) => mapping.leaseSec === 0)).toBe(true);
    expect(clock.pending()).toEqual([10 * 60_000]);
  });

  it('reports a refused port with the reason, maps the others, and never touches the other device’s mapping', async () => {
    gateway.table.set(8443, {
      externalPort: 8443,
      internalPort: 22,
      internalClient: '192.168.1.99',
      protocol: 'TCP',
      description: 'nas',
      enabled: true,
      leaseSec: 0,
    });
    const mapper = await started();
    expect(mapper.isMapped(8437)).toBe(true);
    expect(mapper.isMapped(8443)).toBe(false);
    expect(mapper.mapError(8443)).toMatch(/718 ConflictInMappingEntry \(the router already forwards this port to another device\)/);
    expect(mapper.view().reason).toMatch(/^port 8443: /);

    expect(await mapper.unmap([8443])).toEqual([
      { port: 8443, protocol: 'TCP', ok: false, error: expect.stringMatching(/another device \(192\.168\.1\.99\); left alone/) },
    ]);
    await mapper.onModuleDestroy();
    expect([...gateway.table.keys()]).toEqual([8443]);
    expect(gateway.calls).not.toContain('remove 8443');
  });

  it('with no gateway: a clear state and reason, and a new search a minute later', async () => {
    gateway.present = false;
    const mapper = await started();
    expect(mapper.view()).toMatchObject({
      enabled: true,
      state: 'no-gateway',
      gateway: null,
      reason: expect.stringMatching(/no UPnP gateway answered/),
    });
    expect(await mapper.map([8437])).toEqual([
      { port: 8437, protocol: 'TCP', ok: false, error: expect.stringMatching(/no UPnP gateway answered/) },
    ]);
    expect(clock.pending()).toEqual([RETRY_MS]);

    gateway.present = true;
    await clock.advance(RETRY_MS, mapper);
    expect(mapper.view().state).toBe('ready');
    expect(gateway.table.size).toBe(3);
  });

  it('a gateway that stops answering is searched for again, and the mappings come back', async () => {
    const mapper = await started({ leaseSec: 60 });
    gateway.answering = false;
    await clock.advance(30_000, mapper);
    expect(mapper.view()).toMatchObject({
      state: 'error',
      gateway: null,
      reason: expect.stringMatching(/lost contact with the UPnP gateway/),
    });
    expect(clock.pending()).toEqual([30_000]);

    gateway.answering = true;
    gateway.table.clear();
    await clock.advance(30_000, mapper);
    expect(mapper.view().state).toBe('ready');
    expect(gateway.table.size).toBe(3);
  });

  it('counts held mappings as lost while the gateway is gone or has dropped them, and not once they are back', async () => {
    const mapper = await started({ leaseSec: 60 });
    expect(mapper.lostMappings()).toEqual([]);
    gateway.answering = false;
    await clock.advance(30_000, mapper);
    expect(mapper.lostMappings()).toEqual(
      [8437, 3437, 8443].map((port) => ({ port, reason: expect.stringMatching(/lost contact with the UPnP gateway/) })),
    );

    gateway.answering = true;
    await clock.advance(30_000, mapper);
    expect(mapper.lostMappings()).toEqual([]);

    // A router that forgot one mapping and refuses it now: lost, with the refusal as the reason.
    gateway.table.delete(8443);
    gateway.table.set(8443, {
      externalPort: 8443,
      internalPort: 8443,
      internalClient: '192.168.1.99',
      protocol: 'TCP',
      description: 'other device',
      leaseSec: 0,
      enabled: true,
    });
    await clock.advance(30_000, mapper);
    expect(mapper.lostMappings()).toEqual([{ port: 8443, reason: expect.stringMatching(/ConflictInMappingEntry|718/) }]);
    await mapper.unmap([8443]);
    expect(mapper.lostMappings()).toEqual([]);
  });

  it('reads the external IP again at each pass, and maps even when the gateway will not tell it', async () => {
    gateway.outsideAddress = null;
    const mapper = await started();
    expect(mapper.view()).toMatchObject({ state: 'ready', gateway: { externalIp: null } });
    expect(mapper.view().reason).toMatch(/would not tell its external IP/);
    expect(gateway.table.size).toBe(3);

    gateway.outsideAddress = '198.51.100.23';
    await clock.advance(1800_000, mapper);
    expect(mapper.gatewayExternalIp()).toBe('198.51.100.23');
    expect(mapper.view().reason).toBeNull();
  });

  it('removes exactly its own mappings on shutdown and stops renewing', async () => {
    const mapper = await started();
    await mapper.onModuleDestroy();
    expect(gateway.table.size).toBe(0);
    expect(clock.pending()).toEqual([]);
  });

  it('with UPnP off does nothing at all', async () => {
    const mapper = await started({ upnpEnabled: false, autoMap: false });
    await mapper.onModuleDestroy();
    expect(mapper.view()).toMatchObject({ enabled: false, state: 'disabled', reason: 'UPnP is off (ENABLE_UPNP=false)' });
    expect(gateway.calls).toEqual([]);
  });
});
