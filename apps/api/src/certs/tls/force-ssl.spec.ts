import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { ClientOrigin } from '../../core/http/client-origin';
import type { CertsSettings } from '../certs-settings';
import { exemptFromForceSsl, ForceSsl, httpsLocation } from './force-ssl';

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
    ['/health/ready', true],
    ['/health/x', false],
    ['/.well-known/acme-challenge', false],
    ['/.well-known/security.txt', false],
    ['/api/certs/status', false],
    ['/mcp/everything', false],
  ])('%s → %s', (url, exempt) => {
    expect(exemptFromForceSsl(url)).toBe(exempt);
  });
});

describe('ForceSsl behind a reverse proxy', () => {
  const settings = { enabled: true, forceSsl: true, httpsPort: 8443, domain: 'proxy.example.com' } as CertsSettings;

  /** What the plain listener answers: the redirect's Location, or null when the app's own listener ran. */
  function answer(peer: string, headers: IncomingHttpHeaders): string | null {
    const server = new Server();
    let reachedApp = false;
    server.on('request', () => (reachedApp = true));
    new ForceSsl(settings, new ClientOrigin(['loopback'])).install(server);
    let location: string | null = null;
    const response = {
      writeHead: (_status: number, head: Record<string, string>) => (location = head['Location']),
      end: () => undefined,
    } as unknown as ServerResponse;
    server.emit(
      'request',
      { url: '/api/services', method: 'GET', headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage,
      response,
    );
    return reachedApp ? null : location;
  }

  it.each<[string, string, IncomingHttpHeaders, string | null]>([
    [
      'a trusted proxy that ended TLS: served, not redirected',
      '127.0.0.1',
      { host: 'mcp.example.com', 'x-forwarded-proto': 'https' },
      null,
    ],
    [
      'a trusted proxy on plain http: redirected to the host it forwarded',
      '127.0.0.1',
      { host: '127.0.0.1:8437', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'mcp.example.com' },
      'https://mcp.example.com:8443/api/services',
    ],
    [
      'anyone else claiming https: still redirected, to its own Host',
      '198.51.100.7',
      { host: 'proxy.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      'https://proxy.example.com:8443/api/services',
    ],
  ])('%s', (_case, peer, headers, expected) => {
    expect(answer(peer, headers)).toBe(expected);
  });
});
