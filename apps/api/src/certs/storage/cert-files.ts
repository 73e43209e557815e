import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../../core/config/app-config';

/** `DATA_DIR/certs`: the file system seam of the certs module. Files are written whole (temp + rename) and private. */
@Injectable()
export class CertFiles {
  readonly dir: string;

  constructor(config: AppConfig) {
    this.dir = join(config.dataDir, 'certs');
  }

  /** The file's text, or undefined when there is none yet. */
  async read(name: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Mode 0600 in a 0700 directory: even the encrypted keys are nobody else's business. */
  async write(name: string, content: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const target = join(this.dir, name);
    // A crash mid-write must leave the previous file, never half a certificate.
    const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, content, { mode: 0o600 });
    await rename(temporary, target);
  }
}
