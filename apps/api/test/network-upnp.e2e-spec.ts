import type { CheckPortsView, LiveServerMessage, NetworkStatusView, UpnpChangeView } from '@mcp-proxy/shared/dto';
import WebSocket from 'ws';
import { makeTestEnv, TestEnv } from './support/test-env';
import {
  GATEWAY_LAN_IP,
  INTERNET_IP,
  INTERNET_PORT,
  ISO_IP,
  ISO_ROUTER_IP,
  LAN_IP,
  LabApi,
  labSupport,
  UpnpLab,
  WAN_IP,
} from './support/upnp-lab';

/**
 * The network module against a real miniupnpd, with the built API running inside the lab's LAN
 * namespace (its UPnP client must: SSDP goes out on every interface the process sees).
 */
const support = labSupport();
if (!support.ok) {
  // Said once, plainly, in the test output: these tests need privileges this machine does not give.
  console.warn(`network-upnp e2e skipped: ${support.reason}. It needs root with network namespaces, veth and nftables.`);
}
const describeLab = support.ok ? describe : describe.skip;

const PORTS = { BACKEND_PORT: '8437', FRONTEND_PORT: '3437', HTTPS_PORT: '8443' };
const LEASE_SEC = 4;
const ANOTHER_DEVICE = '10.99.0.77';

describeLab('UPnP port mapping against a real miniupnpd (network namespaces)', () => {
  let lab: UpnpLab;
  let envs: TestEnv[] = [];
  let api: LabApi;
  let isolated: LabApi;

  beforeAll(async () => {
    lab = new UpnpLab();
    await lab.start();
    const env = makeTestEnv({
      ...PORTS,
      ENABLE_UPNP: 'true',
      AUTO_MAP_PORTS: 'true',
      UPNP_LEASE_SEC: String(LEASE_SEC),
      UPNP_TIMEOUT_MS: '2000',
      PORT_CHECK_URLS: `http://${INTERNET_IP}:${INTERNET_PORT}/check`,
      PUBLIC_IP_URLS: `http://${INTERNET_IP}:${INTERNET_PORT}/ip`,
    });
    const isolatedEnv = makeTestEnv({
      ...PORTS,
      ENABLE_UPNP: 'true',
      AUTO_MAP_PORTS: 'true',
      UPNP_TIMEOUT_MS: '2000',
      // Nothing answers there: the public IP stays unknown, quickly.
      PUBLIC_IP_URLS: 'http://127.0.0.1:9/ip',
    });
    envs = [env, isolatedEnv];
    [api, isolated] = await Promise.all([lab.startApi(lab.ns.lan, env.vars), lab.startApi(lab.ns.iso, isolatedEnv.vars)]);
  });

  afterAll(async () => {
    await lab?.stop();
    for (const env of envs) env.cleanup();
  });

  const status = async (target = api): Promise<NetworkStatusView> => {
    const response = await target.call<NetworkStatusView>('GET', '/api/network/status');
    expect(response.status).toBe(200);
    return response.body;
  };

  /** Until the three ports are mapped (start-up maps them in the background). */
  const mappedStatus = async (): Promise<NetworkStatusView> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const current = await status();
      if (current.ports.every((port) => port.mapped)) return current;
      if (Date.now() > deadline) throw new Error(`ports not mapped: ${JSON.stringify(current.upnp)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('discovers the gateway, reads its external IP and maps the three ports, as upnpc -l sees it', async () => {
    const current = await mappedStatus();

    expect(current.upnp).toMatchObject({
      enabled: true,
      autoMap: true,
      state: 'ready',
      reason: null,
      gateway: { location: `http://${GATEWAY_LAN_IP}:5555/rootDesc.xml`, localAddress: LAN_IP, externalIp: WAN_IP },
      leaseSec: LEASE_SEC,
    });
    expect(current).toMatchObject({ publicIp: WAN_IP, publicIpSource: 'upnp', privateIp: LAN_IP, privateIpSource: 'default-route' });
    expect(current.ports.map(({ name, port, mapped }) => ({ name, port, mapped }))).toEqual([
      { name: 'api', port: 8437, mapped: true },
      { name: 'admin', port: 3437, mapped: true },
      { name: 'https', port: 8443, mapped: true },
    ]);
    expect(current.portForwarding).toBeNull();
    // Read through our own listing: the library's would have reported them disabled.
    const ours = current.upnp.mappings.filter((mapping) => mapping.ours).sort((a, b) => a.externalPort - b.externalPort);
    expect(ours).toEqual([
      expect.objectContaining({
        externalPort: 3437,
        internalClient: LAN_IP,
        internalPort: 3437,
        protocol: 'TCP',
        enabled: true,
        description: 'MCP Reverse Proxy admin UI',
      }),
      expect.objectContaining({
        externalPort: 8437,
        internalClient: LAN_IP,
        internalPort: 8437,
        protocol: 'TCP',
        enabled: true,
        description: 'MCP Reverse Proxy API',
      }),
      expect.objectContaining({
        externalPort: 8443,
        internalClient: LAN_IP,
        internalPort: 8443,
        protocol: 'TCP',
        enabled: true,
        description: 'MCP Reverse Proxy HTTPS',
      }),
    ]);

    const seen = (await lab.listMappings()).sort((a, b) => a.externalPort - b.externalPort);
    expect(
      seen.map(({ externalPort, internalClient, internalPort, description }) => ({
        externalPort,
        internalClient,
        internalPort,
        description,
      })),
    ).toEqual([
      { externalPort: 3437, internalClient: LAN_IP, internalPort: 3437, description: 'MCP Reverse Proxy admin UI' },
      { externalPort: 8437, internalClient: LAN_IP, internalPort: 8437, description: 'MCP Reverse Proxy API' },
      { externalPort: 8443, internalClient: LAN_IP, internalPort: 8443, description: 'MCP Reverse Proxy HTTPS' },
    ]);
    for (const line of seen) expect(line.leaseSec).toBeLessThanOrEqual(LEASE_SEC);
  });

  it('renews the lease at half-time, so the mappings outlive it', async () => {
    const first = await mappedStatus();
    const firstRefresh = Date.parse(first.upnp.refreshedAt as string);
    expect(Date.parse(first.upnp.nextRefreshAt as string) - firstRefresh).toBeLessThanOrEqual((LEASE_SEC * 1000) / 2 + 500);

    // Past a whole lease after the first mapping: without renewals miniupnpd would have dropped them.
    await new Promise((resolve) => setTimeout(resolve, LEASE_SEC * 1000 + 500));
    const later = await status();
    expect(Date.parse(later.upnp.refreshedAt as string)).toBeGreaterThan(firstRefresh);
    const ours = (await lab.listMappings()).filter((line) => line.internalClient === LAN_IP);
    expect(ours.map((line) => line.externalPort).sort()).toEqual([3437, 8437, 8443]);
    for (const line of ours) expect(line.leaseSec).toBeGreaterThan(0);
  });

  it('checks each port: listening here, mapped, and reachable from the internet through the gateway', async () => {
    const response = await api.call<CheckPortsView>('POST', '/api/network/check-ports', {});
    expect(response.status).toBe(200);
    const check = response.body;
    expect(check).toMatchObject({
      publicIp: WAN_IP,
      privateIp: LAN_IP,
      checker: `http://${INTERNET_IP}:${INTERNET_PORT}`,
      portForwarding: null,
    });
    const byName = Object.fromEntries(check.ports.map((port) => [port.name, port]));
    // The stub in the WAN namespace really connects to 11.11.11.2:<port>, which miniupnpd forwards to us.
    expect(byName['api']).toMatchObject({ port: 8437, listening: true, mapped: true, reachable: 'open' });
    expect(byName['admin']).toMatchObject({ port: 3437, listening: true, mapped: true, reachable: 'open' });
    // TLS is off: mapped, but nothing answers behind it.
    expect(byName['https']).toMatchObject({ port: 8443, listening: false, mapped: true, reachable: 'closed' });
    expect(byName['https'].detail).toMatch(/nothing listens on it here/);

    const after = await status();
    expect(after.ports.map((port) => port.reachable)).toEqual(['open', 'open', 'closed']);
  });

  it('pushes changes on the live network channel, and unmaps on request', async () => {
    const socket = new WebSocket(`ws+unix://${api.socketPath}:/ws?token=${envs[0].apiKey}`);
    const messages: LiveServerMessage[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data) => {
      messages.push(JSON.parse(data.toString()) as LiveServerMessage);
      waiters.splice(0).forEach((wake) => wake());
    });
    const next = async (match: (message: LiveServerMessage) => boolean): Promise<LiveServerMessage> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such live message; got ${JSON.stringify(messages.map((message) => message.type))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    };
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      await next((message) => message.type === 'ready');
      socket.send(JSON.stringify({ type: 'subscribe', channel: 'network' }));
      const snapshot = await next((message) => message.type === 'network');
      expect(snapshot.type === 'network' && snapshot.network.upnp.state).toBe('ready');
      messages.length = 0;

      const unmapped = await api.call<UpnpChangeView>('POST', '/api/network/upnp/unmap', { ports: [8443] });
      expect(unmapped.status).toBe(200);
      expect(unmapped.body.results).toEqual([{ port: 8443, protocol: 'TCP', ok: true, error: null }]);
      expect((await lab.listMappings()).map((line) => line.externalPort).sort()).toEqual([3437, 8437]);

      const pushed = await next(
        (message) => message.type === 'network' && message.network.ports.some((port) => port.port === 8443 && !port.mapped),
      );
      expect(pushed.type === 'network' && pushed.network.portForwarding?.reason).toMatch(/Ports 8443 are not mapped/);
    } finally {
      socket.close();
    }
  });

  it('leaves a port another device holds alone, and says why the gateway refuses to map it', async () => {
    await lab.mapForAnotherDevice(ANOTHER_DEVICE, 8443);

    const unmap = await api.call<UpnpChangeView>('POST', '/api/network/upnp/unmap', { ports: [8443] });
    expect(unmap.body.results[0]).toMatchObject({
      port: 8443,
      ok: false,
      error: expect.stringMatching(/another device \(10\.99\.0\.77\); left alone/),
    });

    const map = await api.call<UpnpChangeView>('POST', '/api/network/upnp/map', { ports: [8443] });
    expect(map.status).toBe(200);
    expect(map.body.results[0]).toMatchObject({
      port: 8443,
      ok: false,
      error: expect.stringMatching(/refused AddPortMapping: 718 ConflictInMappingEntry/),
    });
    expect(map.body.upnp.state).toBe('ready');

    const current = await status();
    expect(current.ports.find((port) => port.port === 8443)).toMatchObject({ mapped: false, mapError: expect.stringMatching(/718/) });
    expect(current.portForwarding).toMatchObject({
      reason: expect.stringMatching(/did not map every port/),
      privateIp: LAN_IP,
      routerIp: GATEWAY_LAN_IP,
      rules: expect.arrayContaining([
        { name: 'MCP Reverse Proxy HTTPS', externalPort: 8443, internalIp: LAN_IP, internalPort: 8443, protocol: 'TCP' },
      ]),
    });
    expect((await lab.listMappings()).find((line) => line.externalPort === 8443)?.internalClient).toBe(ANOTHER_DEVICE);
  });

  it('with no gateway at all, answers within 5 s: UPnP enabled, gateway null, a reason and the manual steps', async () => {
    const started = Date.now();
    const current = await status(isolated);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(current.upnp).toMatchObject({ enabled: true, state: 'no-gateway', gateway: null, mappings: [] });
    expect(current.upnp.reason).toMatch(/no UPnP gateway answered an SSDP search within 2000 ms/);
    expect(current).toMatchObject({ privateIp: ISO_IP, publicIp: null });
    expect(current.portForwarding).toMatchObject({
      reason: expect.stringMatching(/UPnP did not work/),
      routerIp: ISO_ROUTER_IP,
      privateIp: ISO_IP,
    });
    expect(current.portForwarding?.rules.map((rule) => rule.externalPort)).toEqual([8437, 3437, 8443]);

    const foreign = await isolated.call<{ message: string[] }>('POST', '/api/network/upnp/map', { ports: [9999] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toEqual(["ports must be among the proxy's own (8437, 3437, 8443); not 9999"]);

    const map = await isolated.call<UpnpChangeView>('POST', '/api/network/upnp/map', {});
    expect(map.status).toBe(200);
    expect(map.body.results.every((result) => !result.ok && /no UPnP gateway/.test(result.error ?? ''))).toBe(true);

    const check = await isolated.call<CheckPortsView>('POST', '/api/network/check-ports', {});
    expect(check.body.ports.map((port) => [port.port, port.listening, port.mapped, port.reachable])).toEqual([
      [8437, true, false, 'unknown'],
      [3437, true, false, 'unknown'],
      [8443, false, false, 'unknown'],
    ]);
    expect(check.body.ports[0].detail).toMatch(/public IP is unknown/);
  });

  it('removes its own mappings on shutdown, and only those', async () => {
    expect((await lab.listMappings()).filter((line) => line.internalClient === LAN_IP)).toHaveLength(2);
    await api.stop();
    expect(await lab.listMappings()).toEqual([expect.objectContaining({ externalPort: 8443, internalClient: ANOTHER_DEVICE })]);
  });
});
