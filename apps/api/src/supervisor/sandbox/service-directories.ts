import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Where services' own home directories live inside CLONE_DIRECTORY (service names never start with a dot). */
export const HOMES_DIRECTORY = '.homes';

/**
 * Files of a service that runs as its own user: its home (HOME, npm cache) and its clone, owned by it
 * with mode 0700, so no other service can read them. CLONE_DIRECTORY itself only lets users through
 * (0711): nobody can list it.
 */
export class ServiceDirectories {
  constructor(private readonly cloneRoot: string) {}

  homeOf(serviceName: string): string {
    return join(this.cloneRoot, HOMES_DIRECTORY, serviceName);
  }

  /**
   * Creates the home; with a user, hands it (and the service's clone, if `cwd` is in it) to that user.
   * A home another service's user owns (left by a deleted service of the same name) is emptied first:
   * nothing of an old service is ever handed to a new one.
   */
  prepare(serviceName: string, cwd: string | null, user: { uid: number; gid: number } | null): string {
    const home = this.homeOf(serviceName);
    const owner = ownerOf(home);
    if (user && owner !== null && owner !== user.uid && owner !== 0) rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (!user) return home;
    chmodSync(this.cloneRoot, 0o711);
    chmodSync(dirname(home), 0o711);
    ownTree(home, user);
    const clone = cwd ? this.serviceRootOf(cwd) : null;
    if (clone) {
      // The service's own directory (all its builds) and the build it runs; older builds stay root's, unreadable to others.
      ownTree(cwd as string, user);
      chownSync(clone, user.uid, user.gid);
      chmodSync(clone, 0o700);
    }
    return home;
  }

  /** Everything a deleted service had on disk: its home and its clone with every build. */
  remove(serviceName: string): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(serviceName)) throw new Error(`refusing to remove the files of "${serviceName}": not a service name`);
    rmSync(this.homeOf(serviceName), { recursive: true, force: true });
    rmSync(join(this.cloneRoot, serviceName), { recursive: true, force: true });
  }

  /**
   * When CLONE_DIRECTORY lies inside `top` (its default, under DATA_DIR, which is 0700), the directories
   * from `top` down to it get 0711: the services' users may pass through to their homes, nobody may list
   * them, and everything else in there stays private by its own mode (0600 files, 0700 folders).
   */
  letThroughFrom(top: string): void {
    const rel = relative(resolve(top), dirname(this.cloneRoot));
    if (rel.startsWith('..') || resolve(rel) === rel) return;
    let current = resolve(top);
    for (const part of ['', ...rel.split(sep).filter(Boolean)]) {
      current = part === '' ? current : join(current, part);
      if (!statSync(current, { throwIfNoEntry: false })?.isDirectory()) return;
      const mode = statSync(current).mode & 0o777;
      if ((mode & 0o001) === 0) chmodSync(current, (mode & 0o700) | 0o011);
    }
  }

  /** The first directory above CLONE_DIRECTORY that does not let other users through (a service's user could not reach its home), or null. */
  unreachableAncestor(): string | null {
    mkdirSync(this.cloneRoot, { recursive: true, mode: 0o711 });
    let current = dirname(this.cloneRoot);
    for (;;) {
      try {
        if ((statSync(current).mode & 0o001) === 0) return current;
      } catch {
        return current;
      }
      const parent = dirname(current);
      if (parent === current) return null;
      current = parent;
    }
  }

  /** CLONE_DIRECTORY/<service> when `cwd` is inside it. */
  private serviceRootOf(cwd: string): string | null {
    const rel = relative(this.cloneRoot, resolve(cwd));
    if (rel === '' || rel.startsWith('..') || rel.startsWith(HOMES_DIRECTORY)) return null;
    return join(this.cloneRoot, rel.split(sep)[0]);
  }
}

function ownerOf(path: string): number | null {
  try {
    return lstatSync(path).uid;
  } catch {
    return null;
  }
}

/** Recursive chown, done only when the top is not the user's yet (a fresh build, or a uid handed out anew). */
function ownTree(dir: string, user: { uid: number; gid: number }): void {
  const top = lstatSync(dir);
  if (top.uid === user.uid && top.gid === user.gid) return;
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return lchownSync(path, user.uid, user.gid);
    chownSync(path, user.uid, user.gid);
    // Symbolic links are not followed: a build must not hand the service files outside its clone.
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
}
