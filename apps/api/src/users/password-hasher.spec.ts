import { PasswordHasher } from './password-hasher';

// Small parameters keep the unit fast; the format and checks are the same as in production.
const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });

describe('PasswordHasher', () => {
  it('stores the parameters and a per-user salt with the hash, and accepts only the right password', async () => {
    const first = await hasher.hash('correct horse battery');
    const second = await hasher.hash('correct horse battery');
    expect(first).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(await hasher.verify('correct horse battery', first)).toBe(true);
    expect(await hasher.verify('correct horse batterx', first)).toBe(false);
  });

  it('checks a hash made with other parameters by the parameters stored in it', async () => {
    const stronger = await new PasswordHasher({ N: 2 ** 11, r: 8, p: 2 }).hash('pass phrase one');
    expect(await hasher.verify('pass phrase one', stronger)).toBe(true);
  });

  it.each([['plain'], ['bcrypt$1$2$3$c2FsdA==$a2V5'], ['scrypt$x$8$1$c2FsdA==$a2V5'], ['scrypt$1024$8$1$$a2V5']])(
    'never matches a malformed stored value %s',
    async (stored) => {
      expect(await hasher.verify('plain', stored)).toBe(false);
    },
  );

  it('treats the same text in composed and decomposed Unicode as one password', async () => {
    const stored = await hasher.hash('caf\u00e9 au lait!!');
    expect(await hasher.verify('cafe\u0301 au lait!!', stored)).toBe(true);
  });
});
