import { apiUrl, isGatewayRequest, isLoginRequest } from './api-paths';

const ORIGIN = 'http://127.0.0.1:3437';

describe('api paths', () => {
  it('builds /api URLs', () => {
    expect(apiUrl('services')).toBe('/api/services');
    expect(apiUrl('/services/x')).toBe('/api/services/x');
  });

  it.each(['/api/services', '/api', '/health', '/metrics', `${ORIGIN}/api/services`])('treats %s as a gateway request', (url) =>
    expect(isGatewayRequest(url, ORIGIN)).toBe(true),
  );

  it.each(['/apix', '/healthz', '/assets/logo.svg', 'https://example.com/api/services', '//example.com/api'])(
    'does not treat %s as a gateway request',
    (url) => expect(isGatewayRequest(url, ORIGIN)).toBe(false),
  );

  it('recognises the login call', () => {
    expect(isLoginRequest('/api/auth/login', ORIGIN)).toBe(true);
    expect(isLoginRequest('/api/services', ORIGIN)).toBe(false);
    expect(isLoginRequest('https://example.com/api/auth/login', ORIGIN)).toBe(false);
  });
});
