import { defaultRouteFrom, InterfaceAddress, isNonPublicIpv4, pickPrivateIp } from './default-route';

const ROUTES = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
  'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
  'eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
].join('\n');

const address = (name: string, ip: string, internal = false): InterfaceAddress => ({ name, address: ip, family: 'IPv4', internal });

describe('defaultRouteFrom', () => {
  it('takes the default route with the lowest metric, gateway decoded from little-endian hex', () => {
    expect(defaultRouteFrom(ROUTES)).toEqual({ interfaceName: 'eth0', gateway: '10.0.0.1' });
  });

  it('is null without a default route, and ignores routes that are down', () => {
    expect(
      defaultRouteFrom(
        ROUTES.split('\n')
          .filter((line) => !line.includes('\t00000000\t0'))
          .join('\n'),
      ),
    ).toBeNull();
    expect(
      defaultRouteFrom('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t0100000A\t0002\t0\t0\t0\t00000000'),
    ).toBeNull();
    expect(defaultRouteFrom('')).toBeNull();
  });
});

describe('pickPrivateIp', () => {
  const interfaces = [
    address('lo', '127.0.0.1', true),
    address('docker0', '172.17.0.1'),
    address('eth0', '10.0.0.23'),
    address('wlan0', '192.168.1.5'),
  ];

  it.each<[string, Parameters<typeof pickPrivateIp>[0], InterfaceAddress[], ReturnType<typeof pickPrivateIp>]>([
    [
      'the default route interface',
      { interfaceName: 'eth0', gateway: '10.0.0.1' },
      interfaces,
      { ip: '10.0.0.23', source: 'default-route' },
    ],
    ['a private address when there is no route', null, interfaces, { ip: '172.17.0.1', source: 'interface' }],
    [
      'any non-loopback address last',
      null,
      [address('lo', '127.0.0.1', true), address('eth0', '203.0.113.9')],
      { ip: '203.0.113.9', source: 'interface' },
    ],
    ['nothing with loopback only', null, [address('lo', '127.0.0.1', true)], null],
  ])('prefers %s', (_, route, list, expected) => {
    expect(pickPrivateIp(route, list)).toEqual(expected);
  });
});

describe('isNonPublicIpv4', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['169.254.1.1', true],
    ['11.11.11.2', false],
    ['203.0.113.9', false],
    ['not an ip', false],
  ])('%s → %s', (ip, expected) => {
    expect(isNonPublicIpv4(ip)).toBe(expected);
  });
});
