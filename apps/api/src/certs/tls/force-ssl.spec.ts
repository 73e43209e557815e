import { exemptFromForceSsl, httpsLocation } from './force-ssl';

describe('httpsLocation', () => {
  it.each([
    ['proxy.example.com:8437', '/api/services', 8443, 'https://proxy.example.com:8443/api/services'],
    ['proxy.example.com', '/mcp/x?session=1', 8443, 'https://proxy.example.com:8443/mcp/x?session=1'],
    ['Proxy.Example.com:80', '/', 443, 'https://proxy.example.com/'],
    ['192.168.1.20:3437', '/services', 8443, 'https://192.168.1.20:8443/services'],
    ['[::1]:8437', '/health/x', 8443, 'https://[::1]:8443/health/x'],
    [undefined, '/api', 8443, 'https://fallback.example.com:8443/api'],
    ['evil.example.com/path', '/api', 8443, 'https://fallback.example.com:8443/api'],
    ['user@evil.example.com', '/api', 8443, 'https://fallback.example.com:8443/api'],
    ['[not-an-ip]:80', '/api', 8443, 'https://fallback.example.com:8443/api'],
  ])('Host %s, %s → port %i: %s', (host, url, port, expected) => {
    expect(httpsLocation(host, url, port, 'fallback.example.com')).toBe(expected);
  });
});

describe('exemptFromForceSsl', () => {
  it.each([
    ['/health', true],
    ['/health?probe=1', true],
    ['/.well-known/acme-challenge/abc_DEF-1', true],
    ['/healthz', false],
    ['/health/x', false],
    ['/.well-known/acme-challenge', false],
    ['/.well-known/security.txt', false],
    ['/api/certs/status', false],
    ['/mcp/everything', false],
  ])('%s → %s', (url, exempt) => {
    expect(exemptFromForceSsl(url)).toBe(exempt);
  });
});
