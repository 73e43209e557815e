import { Injectable } from '@nestjs/common';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { AppConfig } from '../../core/config/app-config';

const INCOMING_PREFIX = '.incoming-';

/**
 * Where builds live: CLONE_DIRECTORY/<service>/<commit>, cloned first into a hidden directory of the
 * deployment's own and moved into place once its commit is known. Removes only inside CLONE_DIRECTORY.
 */
@Injectable()
export class BuildDirectories {
  constructor(private readonly config: AppConfig) {}

  get root(): string {
    return resolve(this.config.get('CLONE_DIRECTORY'));
  }

  serviceRoot(serviceName: string): string {
    return join(this.root, serviceName);
  }

  incoming(serviceName: string, deploymentId: string): string {
    return join(this.serviceRoot(serviceName), `${INCOMING_PREFIX}${deploymentId}`);
  }

  forCommit(serviceName: string, commit: string): string {
    return join(this.serviceRoot(serviceName), commit);
  }

  async prepare(serviceName: string): Promise<void> {
    await mkdir(this.serviceRoot(serviceName), { recursive: true, mode: 0o700 });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  async move(from: string, to: string): Promise<void> {
    this.assertInside(from);
    this.assertInside(to);
    await rename(from, to);
  }

  async remove(path: string): Promise<void> {
    this.assertInside(path);
    await rm(path, { recursive: true, force: true });
  }

  /** Every directory under the service's root (finished builds and leftovers of clones). */
  async list(serviceName: string): Promise<string[]> {
    try {
      const entries = await readdir(this.serviceRoot(serviceName), { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => join(this.serviceRoot(serviceName), entry.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** A path under a service's root and strictly below CLONE_DIRECTORY: nothing else is ever moved or deleted. */
  private assertInside(path: string): void {
    const rel = relative(this.root, resolve(path));
    if (rel === '' || rel.startsWith('..') || rel.split(sep).length < 2)
      throw new Error(`refusing to touch ${path}: not a build directory under ${this.root}`);
  }
}
