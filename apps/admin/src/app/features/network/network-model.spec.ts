import { describeLease, parsePortList, portsToCheck, privateIpSource, publicIpSource } from './network-model';

describe('network model', () => {
  it.each([
    ['override', 'set by PUBLIC_IP'],
    ['upnp', "the router's external address (UPnP)"],
    ['http', 'a "what is my IP" service (PUBLIC_IP_URLS)'],
    [null, 'not known'],
  ] as const)('public IP from %s: %s', (source, expected) => expect(publicIpSource(source)).toBe(expected));

  it.each([
    ['override', 'set by PRIVATE_IP'],
    ['default-route', "the default route's interface"],
    ['interface', 'the first private interface'],
    [null, 'not known'],
  ] as const)('private IP from %s: %s', (source, expected) => expect(privateIpSource(source)).toBe(expected));

  it.each([
    [0, 'permanent'],
    [90, '90 s'],
    [1800, '30 min'],
    [86_400, '24 h'],
  ])('lease %i s reads %s', (seconds, expected) => expect(describeLease(seconds)).toBe(expected));

  it.each([
    ['', { ok: true, ports: [] }],
    ['8080, 9000 8080', { ok: true, ports: [8080, 9000] }],
    ['80,\n443', { ok: true, ports: [80, 443] }],
    ['0', { ok: false, error: '"0" is not a port (1 to 65535)' }],
    ['70000', { ok: false, error: '"70000" is not a port (1 to 65535)' }],
    ['http', { ok: false, error: '"http" is not a port (1 to 65535)' }],
    [Array.from({ length: 14 }, (_, i) => 9000 + i).join(','), { ok: false, error: 'At most 13 other ports at a time' }],
  ])('parses %j', (text, expected) => expect(parsePortList(text)).toEqual(expected));

  it('checks the proxy’s own ports first, each port once', () => {
    expect(portsToCheck([8437, 3437, 8443], [22, 8437])).toEqual([8437, 3437, 8443, 22]);
  });
});
