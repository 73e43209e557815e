import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

/** What a short probe command printed, and how it ended (null code: it timed out or could not start). */
export interface ProbeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How the proxy looks at the host's programs: finding them on a PATH and running a short probe. A seam,
 * so a unit test can describe a host without the programs it talks about.
 */
export interface ToolProbe {
  /** Every executable file named `name` on `path`, in PATH order (absolute paths). */
  findAll(name: string, path: string): string[];
  /** Whether users other than the proxy's may run the program (every directory above it lets them through). */
  reachableByOthers(file: string): boolean;
  /** Runs a probe with no shell and a bounded time; never rejects. */
  run(command: string, args: readonly string[], options: { timeoutMs: number; env: Record<string, string> }): Promise<ProbeResult>;
}

const MAX_PROBE_OUTPUT = 64 * 1024;

/** The real host. */
export const systemToolProbe: ToolProbe = {
  findAll(name, path) {
    if (isAbsolute(name)) return isExecutableFile(name) ? [name] : [];
    const found: string[] = [];
    for (const dir of path.split(delimiter)) {
      if (!dir || !isAbsolute(dir)) continue;
      const candidate = join(dir, name);
      if (isExecutableFile(candidate) && !found.includes(candidate)) found.push(candidate);
    }
    return found;
  },

  reachableByOthers(file) {
    try {
      const real = realpathSync(file);
      if ((statSync(real).mode & 0o001) === 0) return false;
      for (let dir = dirname(real); ; dir = dirname(dir)) {
        if ((statSync(dir).mode & 0o001) === 0) return false;
        if (dirname(dir) === dir) return true;
      }
    } catch {
      return false;
    }
  },

  run(command, args, { timeoutMs, env }) {
    return new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_PROBE_OUTPUT, windowsHide: true },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && code === null ? error.message : '') });
        },
      );
    });
  },
};

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
