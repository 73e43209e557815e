import { randomBytes } from 'node:crypto';
import { SealedValueError, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox({ encryptionKey: randomBytes(32) });

  it('round-trips values and never stores them in clear', () => {
    const sealed = box.encryptJson({ TOKEN: 'hunter2' });
    expect(sealed).not.toContain('hunter2');
    expect(box.decryptJson(sealed)).toEqual({ TOKEN: 'hunter2' });
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('refuses tampered ciphertext and a different key, saying why', () => {
    const sealed = box.encrypt('secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => box.decrypt(`v1:${raw.toString('base64')}`)).toThrow(SealedValueError);
    const other = new SecretBox({ encryptionKey: randomBytes(32) });
    expect(() => other.decrypt(sealed)).toThrow('it was sealed with another ENCRYPTION_KEY');
    expect(() => other.decrypt('plain text')).toThrow('it is not a value this proxy sealed');
  });

  it('opens values sealed with the previous key, and seals new ones with the current key only', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBefore = new SecretBox({ encryptionKey: oldKey }).encrypt('from before');
    const rolling = new SecretBox({ encryptionKey: newKey, previousEncryptionKey: oldKey });
    expect(rolling.decrypt(sealedBefore)).toBe('from before');
    expect(rolling.opensWithCurrentKey(sealedBefore)).toBe(false);

    const sealedNow = rolling.encrypt('sealed now');
    expect(new SecretBox({ encryptionKey: newKey }).decrypt(sealedNow)).toBe('sealed now');
    expect(() => new SecretBox({ encryptionKey: oldKey }).decrypt(sealedNow)).toThrow(SealedValueError);
    expect(rolling.opensWithCurrentKey(sealedNow)).toBe(true);
  });
});
