import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { NetworkStatusView } from '@mcp-proxy/shared/dto';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText, typeInto } from '../../testing/dom';
import { provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, networkStatus, seedSession } from '../../testing/fixtures';
import { NetworkPageComponent } from './network-page.component';

/** UPnP on and working: a gateway, our three ports mapped, another device's mapping beside them. */
function upnpReady(): NetworkStatusView {
  const base = networkStatus();
  return {
    ...base,
    publicIpSource: 'upnp',
    upnp: {
      ...base.upnp,
      enabled: true,
      autoMap: true,
      state: 'ready',
      reason: null,
      gateway: { location: 'http://192.168.1.1:5000/rootDesc.xml', localAddress: '192.168.1.20', externalIp: '203.0.113.7' },
      mappings: [
        {
          externalPort: 8437,
          protocol: 'TCP',
          internalClient: '192.168.1.20',
          internalPort: 8437,
          description: 'MCP Reverse Proxy API',
          enabled: true,
          leaseSec: 1800,
          ours: true,
        },
        {
          externalPort: 22,
          protocol: 'TCP',
          internalClient: '192.168.1.30',
          internalPort: 22,
          description: 'nas ssh',
          enabled: true,
          leaseSec: 0,
          ours: false,
        },
      ],
      refreshedAt: '2026-01-01T00:00:00.000Z',
      nextRefreshAt: '2026-01-01T00:30:00.000Z',
    },
    ports: base.ports.map((port) => ({
      ...port,
      mapped: port.name !== 'https',
      mapError: port.name === 'https' ? '718 ConflictInMappingEntry' : null,
    })),
    portForwarding: null,
  };
}

describe('NetworkPageComponent', () => {
  let fixture: ComponentFixture<NetworkPageComponent>;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    TestBed.configureTestingModule({
      imports: [NetworkPageComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        ...live.providers,
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(NetworkPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function definition(card: string, term: string): string | undefined {
    const section = element().querySelector(`section[aria-labelledby="card-${card}"]`);
    const dt = [...(section?.querySelectorAll('dt') ?? [])].find((item) => item.textContent?.trim() === term);
    return dt?.nextElementSibling?.textContent?.trim().replace(/\s+/g, ' ');
  }

  function rows(table: string): string[][] {
    return [...element().querySelectorAll(`table[aria-label="${table}"] tbody tr`)].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim().replace(/\s+/g, ' ') ?? ''),
    );
  }

  async function open(status: NetworkStatusView = networkStatus()): Promise<void> {
    httpTesting.expectOne({ method: 'GET', url: '/api/network/status' }).flush(status);
    await fixture.whenStable();
  }

  it('shows the addresses with their source, and the manual steps when UPnP is off', async () => {
    await open();
    expect(definition('addresses', 'Public IP')).toBe('203.0.113.7from a "what is my IP" service (PUBLIC_IP_URLS)');
    expect(definition('addresses', 'Private IP')).toBe("192.168.1.20from the default route's interface");
    expect(element().querySelector('section[aria-labelledby="card-upnp"] mcp-status-chip')?.textContent?.trim()).toBe('disabled');
    expect(buttonByText(element(), 'Map all ports').disabled).toBe(true);
    expect(element().textContent).toContain('Mapping needs UPnP: set ENABLE_UPNP=true');

    const manual = element().querySelector('section[aria-labelledby="manual-title"]');
    expect(manual?.querySelector('h2')?.textContent?.trim()).toBe('Forward the ports by hand');
    expect(manual?.textContent).toContain('UPnP is off (ENABLE_UPNP=false)');
    expect(manual?.querySelector('a')?.getAttribute('href')).toBe('http://192.168.1.1');
    expect(rows('Port forwarding rules')).toEqual([
      ['MCP Reverse Proxy API', '8437', '192.168.1.20:8437', 'TCP'],
      ['MCP Reverse Proxy admin UI', '3437', '192.168.1.20:3437', 'TCP'],
    ]);
    expect(manual?.querySelectorAll('ol li')).toHaveLength(2);
    expect(element().querySelector('table[aria-label="Router mappings"]')).toBeNull();
  });

  it('says why the public IP is unknown', async () => {
    await open(networkStatus({ publicIp: null, publicIpSource: null, publicIpReason: 'no "what is my IP" endpoint answered' }));
    expect(definition('addresses', 'Public IP')).toBe('unknown no "what is my IP" endpoint answered');
  });

  it('with UPnP ready: the gateway, each port’s mapping, the router’s table, and no manual steps', async () => {
    await open(upnpReady());
    expect(definition('upnp', 'Gateway')).toContain('http://192.168.1.1:5000/rootDesc.xml');
    expect(definition('upnp', 'Lease')).toBe('60 min, renewed at half-time');
    expect(rows('Ports')).toEqual([
      ['API and MCP', '8437/TCP', 'yes', 'unknown', 'never', 'Unmap'],
      ['Admin UI', '3437/TCP', 'yes', 'unknown', 'never', 'Unmap'],
      ['HTTPS', '8443/TCP', 'no 718 ConflictInMappingEntry', 'unknown', 'never', 'Map'],
    ]);
    expect(rows('Router mappings')).toEqual([
      ['8437/TCP', '192.168.1.20:8437', 'MCP Reverse Proxy API (this proxy)', '30 min', 'enabled'],
      ['22/TCP', '192.168.1.30:22', 'nas ssh', 'permanent', 'enabled'],
    ]);
    expect(element().querySelector('section[aria-labelledby="manual-title"]')).toBeNull();
  });

  it('maps one port and shows what the router answered', async () => {
    await open(upnpReady());
    (element().querySelector('button[aria-label="Map 8443"]') as HTMLButtonElement).click();
    const request = httpTesting.expectOne({ method: 'POST', url: '/api/network/upnp/map' });
    expect(request.request.body).toEqual({ ports: [8443] });
    request.flush({
      results: [{ port: 8443, protocol: 'TCP', ok: false, error: '718 ConflictInMappingEntry' }],
      upnp: upnpReady().upnp,
    });
    httpTesting.expectOne('/api/network/status').flush(upnpReady());
    await fixture.whenStable();
    const results = element().querySelector('[aria-label="UPnP results"]');
    expect(results?.textContent).toContain('Map: 0 of 1 done');
    expect(results?.textContent).toContain('8443/TCP: 718 ConflictInMappingEntry');
  });

  it('unmaps every port at once', async () => {
    await open(upnpReady());
    buttonByText(element(), 'Unmap all ports').click();
    const request = httpTesting.expectOne({ method: 'POST', url: '/api/network/upnp/unmap' });
    expect(request.request.body).toEqual({});
    request.flush({
      results: [8437, 3437, 8443].map((port) => ({ port, protocol: 'TCP', ok: true, error: null })),
      upnp: upnpReady().upnp,
    });
    httpTesting.expectOne('/api/network/status').flush(upnpReady());
    await fixture.whenStable();
    expect(element().querySelector('[aria-label="UPnP results"]')?.textContent).toContain('Unmap: 3 of 3 done');
  });

  it('checks the proxy’s ports plus others, and shows per port what was found', async () => {
    await open();
    typeInto(element().querySelector('input') as HTMLInputElement, '22');
    buttonByText(element(), 'Check ports').click();
    const request = httpTesting.expectOne({ method: 'POST', url: '/api/network/check-ports' });
    expect(request.request.body).toEqual({ ports: [8437, 3437, 8443, 22] });
    request.flush({
      checkedAt: '2026-01-01T00:00:00.000Z',
      publicIp: '203.0.113.7',
      privateIp: '192.168.1.20',
      checker: 'https://check.example.net/{host}/{port}',
      ports: [
        { port: 8437, name: 'api', protocol: 'TCP', listening: true, mapped: false, reachable: 'open', detail: 'the checker reached it' },
        {
          port: 22,
          name: null,
          protocol: 'TCP',
          listening: false,
          mapped: false,
          reachable: 'closed',
          detail: 'the checker could not connect',
        },
      ],
      portForwarding: null,
    });
    httpTesting.expectOne('/api/network/status').flush(networkStatus());
    await fixture.whenStable();

    expect(rows('Port check results')).toEqual([
      ['8437/TCP', 'API and MCP', 'yes', 'no', 'open', 'the checker reached it'],
      ['22/TCP', 'other', 'no', 'no', 'closed', 'the checker could not connect'],
    ]);
    expect(element().querySelector('table[aria-label="Port check results"] [data-port="22"] .chip')?.getAttribute('data-tone')).toBe(
      'negative',
    );
    expect(element().textContent).toContain('checker: https://check.example.net/{host}/{port}');
  });

  it('refuses a port list it cannot read, without calling the API', async () => {
    await open();
    typeInto(element().querySelector('input') as HTMLInputElement, '22, ssh');
    buttonByText(element(), 'Check ports').click();
    await fixture.whenStable();
    expect(element().textContent).toContain('"ssh" is not a port (1 to 65535)');
    httpTesting.expectNone('/api/network/check-ports');
  });

  it('follows the network channel', async () => {
    await open();
    const socket = live.sockets.last();
    socket.accept();
    expect(socket.sent).toContainEqual({ type: 'subscribe', channel: 'network' });
    socket.receive({ type: 'network', channel: 'network', network: upnpReady() });
    await fixture.whenStable();
    expect(element().querySelector('section[aria-labelledby="card-upnp"] mcp-status-chip')?.textContent?.trim()).toBe('ready');
    expect(element().querySelector('section[aria-labelledby="manual-title"]')).toBeNull();
  });

  it('shows the error when the status cannot be loaded', async () => {
    httpTesting.expectOne('/api/network/status').flush({ statusCode: 500, message: 'boom' }, { status: 500, statusText: 'Server Error' });
    await fixture.whenStable();
    expect(element().querySelector('[role="alert"]')?.textContent).toContain('Could not load the network status: boom (HTTP 500)');
  });
});
