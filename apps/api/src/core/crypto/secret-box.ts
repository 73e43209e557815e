import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { APP_SECRETS, AppSecrets } from '../config/secrets';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A sealed value that neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS opens (the key was changed, lost
 * with secrets.json, or the data was restored onto a host with another key). The value itself is left as
 * it is: the right key opens it again, or the user enters it anew.
 */
export class SealedValueError extends Error {
  constructor(readonly reason: 'other-key' | 'unrecognised') {
    super(reason === 'other-key' ? 'it was sealed with another ENCRYPTION_KEY' : 'it is not a value this proxy sealed');
    this.name = 'SealedValueError';
  }
}

/** AES-256-GCM for secrets at rest (service environment, remote headers, private keys). */
@Injectable()
export class SecretBox {
  private readonly key: Buffer;
  /** Still opens what was sealed before a rotation (ENCRYPTION_KEY_PREVIOUS); nothing new is sealed with it. */
  private readonly previousKey: Buffer | null;

  constructor(@Inject(APP_SECRETS) secrets: Pick<AppSecrets, 'encryptionKey' | 'previousEncryptionKey'>) {
    this.key = secrets.encryptionKey;
    this.previousKey = secrets.previousEncryptionKey ?? null;
  }

  encrypt(plaintext: string): string {
    return seal(this.key, plaintext);
  }

  /** Opens with the current key, else the previous one; throws SealedValueError when neither does. */
  decrypt(sealed: string): string {
    for (const key of this.previousKey ? [this.key, this.previousKey] : [this.key]) {
      const opened = open(key, sealed);
      if (opened !== null) return opened;
    }
    throw new SealedValueError('other-key');
  }

  /** Whether the current key (not only the previous one) opens the value: a rotation reseals the others. */
  opensWithCurrentKey(sealed: string): boolean {
    return open(this.key, sealed) !== null;
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(sealed: string): T {
    return JSON.parse(this.decrypt(sealed)) as T;
  }
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The plaintext, or null when this key does not open it (GCM's tag check fails). */
function open(key: Buffer, sealed: string): string | null {
  const [version, payload] = sealed.split(':', 2);
  if (version !== VERSION || !payload) throw new SealedValueError('unrecognised');
  const raw = Buffer.from(payload, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealedValueError('unrecognised');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
