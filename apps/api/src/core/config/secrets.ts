import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The proxy's own secrets. Never logged, never sent to a child process. */
export interface AppSecrets {
  apiKey: string;
  jwtSecret: string;
  /** 32-byte AES-256-GCM key for secrets at rest. */
  encryptionKey: Buffer;
  /** The key before a rotation (ENCRYPTION_KEY_PREVIOUS): still opens old values, never seals new ones. */
  previousEncryptionKey?: Buffer;
}

export const APP_SECRETS = Symbol('APP_SECRETS');

interface StoredSecrets {
  apiKey?: string;
  jwtSecret?: string;
  encryptionKey?: string;
}

export interface SecretsResult {
  secrets: AppSecrets;
  /** Set when the API key was generated just now, so the caller can print it once. */
  generatedApiKey?: string;
}

export const SECRETS_FILE = 'secrets.json';

/**
 * Environment values win; a missing secret is generated once and kept in
 * `<dataDir>/secrets.json` (mode 0600) so restarts keep sessions and can decrypt stored data.
 */
export function loadOrCreateSecrets(
  dataDir: string,
  fromEnv: { API_KEY?: string; JWT_SECRET?: string; ENCRYPTION_KEY?: string; ENCRYPTION_KEY_PREVIOUS?: string },
): SecretsResult {
  const file = join(dataDir, SECRETS_FILE);
  const stored: StoredSecrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets) : {};
  const next: StoredSecrets = { ...stored };
  let generatedApiKey: string | undefined;

  if (!fromEnv.API_KEY && !stored.apiKey) {
    next.apiKey = generatedApiKey = `mcp_${randomBytes(24).toString('base64url')}`;
  }
  if (!fromEnv.JWT_SECRET && !stored.jwtSecret) next.jwtSecret = randomBytes(48).toString('base64url');
  if (!fromEnv.ENCRYPTION_KEY && !stored.encryptionKey) next.encryptionKey = randomBytes(32).toString('hex');

  if (JSON.stringify(next) !== JSON.stringify(stored)) writePrivateFile(dataDir, file, JSON.stringify(next, null, 2));
  else if (existsSync(file)) chmodSync(file, 0o600);
  // Everything in here is private too (the database 0600, certificates and logs 0700); the sandbox opens the directory to 0711 (passage, no listing) when it runs servers as users of their own with their folders in here.
  if (existsSync(dataDir)) chmodSync(dataDir, 0o700);

  const encryptionKey = fromEnv.ENCRYPTION_KEY ?? (next.encryptionKey as string);
  return {
    secrets: {
      apiKey: fromEnv.API_KEY ?? (next.apiKey as string),
      jwtSecret: fromEnv.JWT_SECRET ?? (next.jwtSecret as string),
      encryptionKey: encryptionKeyBytes(encryptionKey),
      ...(fromEnv.ENCRYPTION_KEY_PREVIOUS ? { previousEncryptionKey: encryptionKeyBytes(fromEnv.ENCRYPTION_KEY_PREVIOUS) } : {}),
    },
    generatedApiKey,
  };
}

/** A key as ENCRYPTION_KEY takes it: 64 hex digits or base64 of 32 bytes. */
export function encryptionKeyBytes(text: string): Buffer {
  return Buffer.from(text, /^[0-9a-f]{64}$/i.test(text) ? 'hex' : 'base64');
}

/** The encryption key kept in `<dataDir>/secrets.json`, if there is one (the rotate-key command replaces it). */
export function storedEncryptionKey(dataDir: string): string | undefined {
  const file = join(dataDir, SECRETS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets).encryptionKey : undefined;
}

/** Replaces the encryption key in `<dataDir>/secrets.json`, keeping the other secrets. */
export function storeEncryptionKey(dataDir: string, encryptionKey: string): void {
  const file = join(dataDir, SECRETS_FILE);
  const stored: StoredSecrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets) : {};
  writePrivateFile(dataDir, file, JSON.stringify({ ...stored, encryptionKey }, null, 2));
}

/** Written to a temporary file first so a crash mid-write cannot lose the keys. */
function writePrivateFile(dir: string, file: string, content: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}
