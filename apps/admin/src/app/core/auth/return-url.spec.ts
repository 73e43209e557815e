import { safeReturnUrl } from './return-url';

describe('safeReturnUrl', () => {
  it('accepts in-app paths', () => {
    expect(safeReturnUrl('/services')).toBe('/services');
    expect(safeReturnUrl('/services?tab=1')).toBe('/services?tab=1');
  });

  it.each([
    null,
    undefined,
    '',
    '/',
    '/login',
    '/login?returnUrl=%2Fx',
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
    'services',
  ])('refuses %s', (candidate) => {
    expect(safeReturnUrl(candidate)).toBeNull();
  });
});
