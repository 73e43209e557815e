import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';
import { HashingSlots } from './hashing-slots';

/**
 * scrypt from node:crypto (no native add-on to build). Parameters follow OWASP's
 * "N=2^15, r=8, p=3" line (about 32 MiB per hash); they are stored with each hash.
 */
const DEFAULT_PARAMETERS = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

export class PasswordHasher {
  constructor(
    private readonly parameters: ScryptParameters = DEFAULT_PARAMETERS,
    private readonly slots = new HashingSlots(),
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await this.slots.run(() => derive(password, salt, this.parameters, KEY_LENGTH));
    const { N, r, p } = this.parameters;
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** Constant-time comparison; a malformed stored hash never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await this.slots.run(() => derive(password, parsed.salt, parsed.parameters, parsed.key.length));
    return timingSafeEqual(key, parsed.key);
  }

  /** Spends the time of a real check, so an unknown user name is not told apart by timing. */
  async burn(password: string): Promise<void> {
    await this.slots.run(() => derive(password, Buffer.alloc(SALT_LENGTH), this.parameters, KEY_LENGTH));
  }
}

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParameters, length: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is just too low for N=2^15, r=8.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function parse(stored: string): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((value) => Number.isInteger(value) && value > 0)) return null;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || key.length === 0) return null;
  return { parameters: { N, r, p }, salt, key };
}
