import { Injectable } from '@nestjs/common';
import type { CertSource } from '@mcp-proxy/shared/dto';
import { createHash } from 'node:crypto';
import { SecretBox } from '../../core/crypto/secret-box';
import { AppLogger } from '../../core/logging/app-logger';
import { CertificateBundle, checkBundle } from '../certificate-bundle';
import { CertFiles } from './cert-files';

/** A certificate as kept on disk, with what it was made for (so a changed DOMAIN or directory is noticed). */
export interface StoredCertificate {
  source: CertSource;
  names: string[];
  /** ACME only. */
  directoryUrl?: string;
  bundle: CertificateBundle;
}

interface CertificateFile {
  version: 1;
  source: CertSource;
  names: string[];
  directoryUrl?: string;
  certPem: string;
  /** SecretBox-sealed PEM (AES-256-GCM with ENCRYPTION_KEY). */
  sealedKey: string;
}

/** An ACME account: its key, and its URL at the directory once registered. */
export interface StoredAccount {
  keyPem: string;
  url?: string;
  /** The contact it was registered (or last updated) with. */
  email?: string;
}

interface AccountFile {
  version: 1;
  directoryUrl: string;
  url?: string;
  email?: string;
  sealedKey: string;
}

/**
 * Account keys (one per ACME directory) and certificates (one per source) under DATA_DIR/certs.
 * Private keys are sealed with SecretBox and the files are mode 0600; certificates are public and stay readable PEM.
 */
@Injectable()
export class CertificateStore {
  constructor(
    private readonly files: CertFiles,
    private readonly box: SecretBox,
    private readonly logger: AppLogger,
  ) {}

  async loadCertificate(source: CertSource): Promise<StoredCertificate | undefined> {
    const name = certificateFileName(source);
    const file = await this.readJson<CertificateFile>(name);
    if (!file) return undefined;
    try {
      const bundle = { certPem: file.certPem, keyPem: this.box.decrypt(file.sealedKey) };
      checkBundle(bundle);
      return { source: file.source, names: file.names, directoryUrl: file.directoryUrl, bundle };
    } catch (error) {
      this.unusable(name, error);
      return undefined;
    }
  }

  async saveCertificate(certificate: StoredCertificate): Promise<void> {
    const file: CertificateFile = {
      version: 1,
      source: certificate.source,
      names: certificate.names,
      directoryUrl: certificate.directoryUrl,
      certPem: certificate.bundle.certPem,
      sealedKey: this.box.encrypt(certificate.bundle.keyPem),
    };
    await this.files.write(certificateFileName(certificate.source), JSON.stringify(file, null, 2));
  }

  async loadAccount(directoryUrl: string): Promise<StoredAccount | undefined> {
    const name = accountFileName(directoryUrl);
    const file = await this.readJson<AccountFile>(name);
    if (!file) return undefined;
    try {
      return { keyPem: this.box.decrypt(file.sealedKey), url: file.url, email: file.email };
    } catch (error) {
      this.unusable(name, error);
      return undefined;
    }
  }

  async saveAccount(directoryUrl: string, account: StoredAccount): Promise<void> {
    const file: AccountFile = {
      version: 1,
      directoryUrl,
      url: account.url,
      email: account.email,
      sealedKey: this.box.encrypt(account.keyPem),
    };
    await this.files.write(accountFileName(directoryUrl), JSON.stringify(file, null, 2));
  }

  private async readJson<T>(name: string): Promise<T | undefined> {
    const text = await this.files.read(name);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      this.unusable(name, error);
      return undefined;
    }
  }

  /** A file we cannot use (ENCRYPTION_KEY changed, hand-edited) is replaced by a fresh one rather than stopping TLS. */
  private unusable(name: string, error: unknown): void {
    this.logger.event(
      'warn',
      { context: 'Certs', file: `${this.files.dir}/${name}`, reason: error instanceof Error ? error.message : String(error) },
      'Ignoring an unreadable certificate file (a new one will be made); was ENCRYPTION_KEY changed?',
    );
  }
}

function certificateFileName(source: CertSource): string {
  return `${source}.json`;
}

/** One account per directory: staging, production and a private CA each know their own. */
function accountFileName(directoryUrl: string): string {
  return `account-${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16)}.json`;
}
