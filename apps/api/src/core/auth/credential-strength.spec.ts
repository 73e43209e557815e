import { randomBytes } from 'node:crypto';
import { credentialStrength, estimatedBits } from './credential-strength';

describe('credentialStrength', () => {
  it.each([
    ['the generated admin key', `mcp_${randomBytes(24).toString('base64url')}`, 'strong'],
    ['a 32-byte hex key', randomBytes(32).toString('hex'), 'strong'],
    ['a client token', `mcpt_${randomBytes(32).toString('base64url')}`, 'strong'],
    [
      'a JWT (session or OAuth access token)',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImp0aSI6IjEifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1oZXJl',
      'strong',
    ],
    ['a short guess', 'wrong', 'weak'],
    ['a 16-character key', 'abcdefgh12345678', 'weak'],
    ['a long repetitive key', 'a'.repeat(200), 'weak'],
    ['a client token of the wrong length', 'mcpt_abc', 'weak'],
  ])('%s is %s', (_label, credential, expected) => {
    expect(credentialStrength(credential)).toBe(expected);
  });

  it('estimates nothing for a one-character alphabet', () => {
    expect(estimatedBits('zzzz')).toBe(0);
  });
});
