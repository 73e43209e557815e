import type { ChildIsolationView } from '@mcp-proxy/shared/dto';
import { statSync } from 'node:fs';

/**
 * Where a user keeps credentials in a home directory: hidden from servers that run as the proxy's own
 * user under bubblewrap, since they would otherwise see the proxy's home read-only.
 */
export const PROXY_HOME_CREDENTIALS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.config/gh',
  '.config/gcloud',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '.git-credentials',
  '.pgpass',
];

export interface IsolationFacts {
  /** Children get users of their own by default (root, setpriv, SANDBOX_USER=auto, CLONE_DIRECTORY reachable). */
  ownUsers: boolean;
  /** Why they do not, in plain words, when they do not ("the proxy is not root"). */
  ownUsersMissing: string;
  /** Children run in bubblewrap by default. */
  bubblewrap: boolean;
  /** Why bubblewrap cannot run here, when it cannot. */
  bubblewrapMissing: string;
  filesystemSetting: 'auto' | 'bubblewrap' | 'none';
  root: boolean;
  /** Files the secrets were read from (`<KEY>_FILE`) that every user may read. */
  exposedFiles: string[];
}

/** The honest one-line account of what a default child can reach of the proxy's secrets. */
export function childIsolation(facts: IsolationFacts): Omit<ChildIsolationView, 'limits'> {
  if (facts.ownUsers && facts.exposedFiles.length > 0) {
    return {
      isolation: 'own-users',
      proxySecretsProtected: false,
      summary: `MCP servers run as users of their own, but ${facts.exposedFiles.join(', ')} can be read by every user, so they can read those secrets: make the files readable by the proxy only (chmod 600).`,
    };
  }
  if (facts.ownUsers) {
    return {
      isolation: 'own-users',
      proxySecretsProtected: true,
      summary:
        "MCP servers run as users of their own: they cannot read the proxy's data dir, logs, secret files or process environment, nor each other's files.",
    };
  }
  if (facts.bubblewrap) {
    return {
      isolation: 'bubblewrap',
      proxySecretsProtected: true,
      summary:
        "Children run in bubblewrap as the proxy's user: its data dir, logs, secret files, the credentials in its home and its processes (with their environment) are out of their sight; the rest of the system is read-only.",
    };
  }
  const why = [
    `servers cannot get users of their own (${facts.ownUsersMissing})`,
    facts.filesystemSetting === 'none'
      ? 'bubblewrap is switched off (SANDBOX_FILESYSTEM=none)'
      : `bubblewrap cannot run here (${facts.bubblewrapMissing})`,
  ];
  const fix = facts.root
    ? 'Install bubblewrap and leave SANDBOX_FILESYSTEM at auto, or remove what keeps servers from users of their own'
    : 'Run the proxy as root, or install bubblewrap and leave SANDBOX_FILESYSTEM at auto';
  return {
    isolation: 'none',
    proxySecretsProtected: false,
    summary: `MCP servers run with the proxy's own rights and can read its secrets (data dir, database, secret files, its environment): ${why.join(' and ')}. ${fix}.`,
  };
}

export function worldReadable(path: string): boolean {
  try {
    return (statSync(path).mode & 0o004) !== 0;
  } catch {
    return false;
  }
}
