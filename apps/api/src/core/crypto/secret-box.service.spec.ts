import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.service';

describe('SecretBox', () => {
  const box = new SecretBox({ apiKey: 'a', jwtSecret: 'b', encryptionKey: randomBytes(32) });

  it('round-trips values and never stores them in clear', () => {
    const sealed = box.encryptJson({ TOKEN: 'hunter2' });
    expect(sealed).not.toContain('hunter2');
    expect(box.decryptJson(sealed)).toEqual({ TOKEN: 'hunter2' });
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('refuses tampered ciphertext and a different key', () => {
    const sealed = box.encrypt('secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => box.decrypt(`v1:${raw.toString('base64')}`)).toThrow();
    const other = new SecretBox({ apiKey: 'a', jwtSecret: 'b', encryptionKey: randomBytes(32) });
    expect(() => other.decrypt(sealed)).toThrow();
  });
});
