import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A service's own unprivileged user: a uid (and a group of the same number) no other service gets. */
export interface ServiceUser {
  uid: number;
  gid: number;
  /** For logs and the portal; the user has no /etc/passwd entry. */
  name: string;
}

/**
 * Hands every service a uid of its own from `base` upwards and remembers it in a file of the data
 * dir, so the files it owns (its home, its clone) stay its own across restarts of the proxy.
 */
export class SandboxUsers {
  private table: Record<string, number> | null = null;

  constructor(
    private readonly file: string,
    private readonly base: number,
  ) {}

  userOf(serviceId: string): ServiceUser {
    const table = this.load();
    let uid = table[serviceId];
    if (uid === undefined) {
      const used = Object.values(table);
      uid = used.length === 0 ? this.base : Math.max(this.base - 1, ...used) + 1;
      table[serviceId] = uid;
      this.save(table);
    }
    return { uid, gid: uid, name: `mcp-${uid}` };
  }

  private load(): Record<string, number> {
    if (this.table) return this.table;
    this.table = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>) : {};
    return this.table;
  }

  private save(table: Record<string, number>): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(table, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
