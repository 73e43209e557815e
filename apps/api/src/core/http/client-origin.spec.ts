import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ClientOrigin } from './client-origin';
import { isTrustedProxyEntry } from './trusted-proxies';

const request = (peer: string, headers: IncomingHttpHeaders = {}, encrypted = false): IncomingMessage =>
  ({
    headers,
    socket: { remoteAddress: peer, encrypted },
  }) as unknown as IncomingMessage;

describe('ClientOrigin', () => {
  const behindLoopback = new ClientOrigin(['loopback', '10.1.0.0/16']);
  const trustingNobody = new ClientOrigin([]);

  it.each<[string, ClientOrigin, string, string | undefined, string]>([
    ['no proxies trusted: the socket, whatever the header says', trustingNobody, '127.0.0.1', '203.0.113.9', '127.0.0.1'],
    ['untrusted peer: its forged header is ignored', behindLoopback, '198.51.100.7', '203.0.113.9', '198.51.100.7'],
    ['trusted peer without the header: the peer', behindLoopback, '127.0.0.1', undefined, '127.0.0.1'],
    ['trusted peer: the hop it added', behindLoopback, '127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['IPv4-mapped peer counts as its IPv4 address', behindLoopback, '::ffff:127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['the right-most untrusted hop, not what the client wrote first', behindLoopback, '127.0.0.1', '1.1.1.1, 203.0.113.9', '203.0.113.9'],
    ['trusted hops are skipped', behindLoopback, '127.0.0.1', '1.1.1.1, 203.0.113.9, 10.1.2.3', '203.0.113.9'],
    ['a garbage hop stops the walk at the last known address', behindLoopback, '127.0.0.1', '203.0.113.9, not-an-ip', '127.0.0.1'],
    ['IPv6 client', behindLoopback, '::1', '2001:db8::1', '2001:db8::1'],
  ])('address: %s', (_case, origin, peer, forwardedFor, expected) => {
    expect(origin.address(request(peer, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }))).toBe(expected);
  });

  it('rotating X-Forwarded-For from an untrusted peer always gives the same address', () => {
    const seen = new Set(
      Array.from({ length: 5 }, (_, index) => behindLoopback.address(request('198.51.100.7', { 'x-forwarded-for': `203.0.113.${index}` }))),
    );
    expect([...seen]).toEqual(['198.51.100.7']);
  });

  it.each<[string, ClientOrigin, string, IncomingHttpHeaders, boolean, 'http' | 'https']>([
    ['trusted proxy says https', behindLoopback, '127.0.0.1', { 'x-forwarded-proto': 'https' }, false, 'https'],
    ['the nearest proxy decides', behindLoopback, '127.0.0.1', { 'x-forwarded-proto': 'https, http' }, false, 'http'],
    ['untrusted peer cannot claim https', behindLoopback, '198.51.100.7', { 'x-forwarded-proto': 'https' }, false, 'http'],
    ['nonsense is ignored', behindLoopback, '127.0.0.1', { 'x-forwarded-proto': 'gopher' }, true, 'https'],
    ['our own TLS', trustingNobody, '127.0.0.1', {}, true, 'https'],
  ])('protocol: %s', (_case, origin, peer, headers, encrypted, expected) => {
    expect(origin.protocol(request(peer, headers, encrypted))).toBe(expected);
  });

  it.each<[string, ClientOrigin, string, IncomingHttpHeaders, string | undefined]>([
    ['Host when nothing is forwarded', behindLoopback, '127.0.0.1', { host: 'Proxy.Internal:8437' }, 'proxy.internal:8437'],
    [
      "a trusted proxy's X-Forwarded-Host",
      behindLoopback,
      '127.0.0.1',
      { host: '127.0.0.1:8437', 'x-forwarded-host': 'mcp.example.com' },
      'mcp.example.com',
    ],
    [
      "an untrusted peer's X-Forwarded-Host is ignored",
      behindLoopback,
      '198.51.100.7',
      { host: '127.0.0.1:8437', 'x-forwarded-host': 'evil.example' },
      '127.0.0.1:8437',
    ],
    ['a malformed host is no host', behindLoopback, '127.0.0.1', { host: 'a/b' }, undefined],
  ])('host: %s', (_case, origin, peer, headers, expected) => {
    expect(origin.host(request(peer, headers))).toBe(expected);
  });

  it.each([
    ['loopback', true],
    ['LOOPBACK', true],
    ['10.0.0.0/8', true],
    ['::1', true],
    ['fd00::/8', true],
    ['10.0.0.0/33', false],
    ['proxy.local', false],
    ['constructor', false],
    ['1', false],
    ['127.1', false],
    ['10.0.0.0/8/8', false],
    ['', false],
  ])('TRUSTED_PROXIES entry %j valid: %s', (entry, valid) => {
    expect(isTrustedProxyEntry(entry)).toBe(valid);
  });
});
