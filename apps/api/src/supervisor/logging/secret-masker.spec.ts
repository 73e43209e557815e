import { SecretMasker } from './secret-masker';

describe('SecretMasker', () => {
  it.each([
    ['a secret anywhere in the line', ['hunter2-secret'], 'token=hunter2-secret;', 'token=********;'],
    ['every occurrence', ['abcd'], 'abcd and abcd', '******** and ********'],
    ['values shorter than 4 characters are left alone', ['abc', 'on'], 'abc is on', 'abc is on'],
    ['a secret containing another is masked whole', ['pass', 'password-123'], 'password-123 / pass', '******** / ********'],
    ['regular-expression characters are taken literally', ['a.b*c(d)'], 'a.b*c(d) axbbbc(d)', '******** axbbbc(d)'],
    ['no secrets: unchanged', [], 'plain line', 'plain line'],
  ])('masks %s', (_title, secrets, line, expected) => {
    expect(new SecretMasker(secrets).mask(line)).toBe(expected);
  });
});
