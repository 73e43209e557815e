import { toGatewayMapping } from './gateway-mapping';

describe('toGatewayMapping', () => {
  it.each([
    [
      'numbers, as the library parser makes of numeric text (its getMappings() then says enabled: false)',
      {
        GetGenericPortMappingEntryResponse: {
          NewRemoteHost: '',
          NewExternalPort: 8437,
          NewProtocol: 'TCP',
          NewInternalPort: 8437,
          NewInternalClient: '10.99.0.2',
          NewEnabled: 1,
          NewPortMappingDescription: 'MCP Reverse Proxy API',
          NewLeaseDuration: 59,
        },
      },
      {
        externalPort: 8437,
        protocol: 'TCP',
        internalClient: '10.99.0.2',
        internalPort: 8437,
        description: 'MCP Reverse Proxy API',
        enabled: true,
        leaseSec: 59,
      },
    ],
    [
      'text, disabled, UDP, permanent',
      {
        GetGenericPortMappingEntryResponse: {
          NewExternalPort: '5000',
          NewProtocol: 'udp',
          NewInternalPort: '5001',
          NewInternalClient: '192.168.1.9',
          NewEnabled: '0',
          NewPortMappingDescription: '',
          NewLeaseDuration: '0',
        },
      },
      {
        externalPort: 5000,
        protocol: 'UDP',
        internalClient: '192.168.1.9',
        internalPort: 5001,
        description: '',
        enabled: false,
        leaseSec: 0,
      },
    ],
    [
      'a numeric description',
      {
        GetGenericPortMappingEntryResponse: {
          NewExternalPort: 22,
          NewProtocol: 'TCP',
          NewInternalPort: 22,
          NewInternalClient: '192.168.1.9',
          NewEnabled: true,
          NewPortMappingDescription: 42,
          NewLeaseDuration: 10,
        },
      },
      {
        externalPort: 22,
        protocol: 'TCP',
        internalClient: '192.168.1.9',
        internalPort: 22,
        description: '42',
        enabled: true,
        leaseSec: 10,
      },
    ],
  ])('reads %s', (_, body, expected) => {
    expect(toGatewayMapping(body)).toEqual(expected);
  });

  it.each([
    ['no entry', {}],
    ['another action', { GetExternalIPAddressResponse: { NewExternalIPAddress: '1.2.3.4' } }],
    ['no port', { GetGenericPortMappingEntryResponse: { NewProtocol: 'TCP' } }],
    ['not an object', 'Incorrect response'],
  ])('refuses %s', (_, body) => {
    expect(toGatewayMapping(body)).toBeNull();
  });
});
