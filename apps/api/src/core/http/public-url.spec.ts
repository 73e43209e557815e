import type { IncomingMessage } from 'node:http';
import { ClientOrigin } from './client-origin';
import { protectedResourceMetadataUrl, publicBaseUrl } from './public-url';

const request = (host: string | undefined, encrypted = false): IncomingMessage =>
  ({ headers: host === undefined ? {} : { host }, socket: { encrypted, remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;
const known = (host: string): boolean => /^(127\.0\.0\.1|localhost|mcp\.example\.com)(:\d+)?$/i.test(host);

describe('public URL', () => {
  it.each([
    ['https://mcp.example.com', request('evil.example'), 'https://mcp.example.com'],
    [undefined, request('127.0.0.1:8437'), 'http://127.0.0.1:8437'],
    [undefined, request('MCP.example.com', true), 'https://mcp.example.com'],
    [undefined, request('evil.example'), null],
    [undefined, request('mcp.example.com/x'), null],
    [undefined, request(undefined), null],
  ])('PUBLIC_URL %s, Host of %j → %s', (configured, incoming, expected) => {
    expect(publicBaseUrl(configured, incoming, new ClientOrigin([]), known)).toBe(expected);
  });

  it('puts the well-known segment between origin and path (RFC 9728)', () => {
    expect(protectedResourceMetadataUrl('https://mcp.example.com', '/mcp/everything')).toBe(
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp/everything',
    );
  });
});
