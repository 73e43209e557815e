import { extractCredential } from './credentials';

describe('extractCredential', () => {
  it.each([
    [{ 'x-api-key': 'k1' }, 'k1'],
    [{ authorization: 'Bearer k2' }, 'k2'],
    [{ authorization: 'bearer   k3 ' }, 'k3'],
    [{ 'x-api-key': 'k1', authorization: 'Bearer k2' }, 'k1'],
    [{ authorization: 'Basic abc' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{ authorization: 'Bearer a b' }, undefined],
    [{ 'x-api-key': '' }, undefined],
    [{}, undefined],
  ])('%o → %s', (headers, expected) => {
    expect(extractCredential(headers)).toBe(expected);
  });
});
