import { isValidSignature, signatureOf } from './webhook-signature';

describe('isValidSignature', () => {
  const secret = 'webhook-secret-1';
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');
  const good = signatureOf(body, secret);

  it.each([
    ['the signature of the body', body, good, secret, true],
    ['the same in upper-case hex', body, good.toUpperCase().replace('SHA256=', 'sha256='), secret, true],
    ['another body', Buffer.from('{"zen":"changed"}'), good, secret, false],
    ['another secret', body, good, 'other-secret', false],
    ['no header', body, undefined, secret, false],
    ['no secret configured', body, good, undefined, false],
    ['no body', undefined, good, secret, false],
    ['the SHA-1 header format', body, `sha1=${'0'.repeat(40)}`, secret, false],
    ['a truncated signature', body, good.slice(0, -2), secret, false],
    ['not hex', body, `sha256=${'z'.repeat(64)}`, secret, false],
  ])('%s → %s', (_case, rawBody, header, key, valid) => {
    expect(isValidSignature(rawBody, header, key)).toBe(valid);
  });
});
