import { portForwardingInstructions } from './port-forwarding';
import type { ProxyPort } from './network-settings';

const PORTS: ProxyPort[] = [
  { name: 'api', port: 8437, description: 'MCP Reverse Proxy API' },
  { name: 'admin', port: 3437, description: 'MCP Reverse Proxy admin UI' },
];

describe('portForwardingInstructions', () => {
  it('lists one TCP rule per port to this machine, and where to enter them', () => {
    const view = portForwardingInstructions({
      reason: 'UPnP is off',
      ports: PORTS,
      privateIp: '192.168.1.20',
      publicIp: '203.0.113.7',
      routerIp: '192.168.1.1',
    });
    expect(view.rules).toEqual([
      { name: 'MCP Reverse Proxy API', externalPort: 8437, internalIp: '192.168.1.20', internalPort: 8437, protocol: 'TCP' },
      { name: 'MCP Reverse Proxy admin UI', externalPort: 3437, internalIp: '192.168.1.20', internalPort: 3437, protocol: 'TCP' },
    ]);
    expect(view.steps[0]).toContain('http://192.168.1.1');
    expect(view.steps.join(' ')).toMatch(/DHCP reservation for 192\.168\.1\.20/);
    expect(view.steps.join(' ')).not.toMatch(/carrier-grade/);
  });

  it('warns when the outside address is itself private', () => {
    const view = portForwardingInstructions({
      reason: 'x',
      ports: PORTS,
      privateIp: '192.168.1.20',
      publicIp: '100.72.1.9',
      routerIp: null,
    });
    expect(view.steps[0]).toContain('the address of your default gateway');
    expect(view.steps.at(-1)).toMatch(/100\.72\.1\.9\) is itself private/);
  });
});
