import type { SpawnSpec } from '../spawn/child-spawner';

/** Programs the wrappers use, found on the host at start-up (absolute paths). */
export interface SandboxTools {
  sh: string;
  prlimit: string | null;
  setpriv: string | null;
  bwrap: string | null;
}

/** Per-process limits, passed to `prlimit` (soft = hard, except CPU time: SIGXCPU first, SIGKILL a little later). */
export interface RlimitSettings {
  nofile?: number;
  nproc?: number;
  cpuSeconds?: number;
  addressSpaceBytes?: number;
}

export interface FilesystemView {
  /** Host directories under /tmp that the command needs (its program or script lives there): seen read-only despite the private /tmp. */
  readable: string[];
  /** Directories and files replaced by an empty tmpfs (or /dev/null for files). */
  hideDirectories: string[];
  hideFiles: string[];
  /** Writable inside the sandbox (the service's own directories), bound after the hides. */
  writable: string[];
}

export interface SandboxLayers {
  /** `cgroup.procs` files the child writes its own pid into before anything runs. */
  cgroupProcs: string[];
  rlimits: RlimitSettings;
  filesystem: FilesystemView | null;
  user: { uid: number; gid: number } | null;
}

/** Puts the pid of the shell into each cgroup given, then runs the rest of the command line in its place (without the PWD the shell exported). */
const JOIN_CGROUPS =
  'unset PWD OLDPWD; n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

/** Grace between the soft CPU-time limit (SIGXCPU, which a process may catch) and the hard one (SIGKILL). */
const CPU_HARD_GRACE_SEC = 5;

/**
 * The command line that runs `spec` inside its layers, outermost first: join the cgroups (so no
 * process of the child ever runs outside them), set the rlimits, enter the filesystem sandbox, drop
 * to the service's user, then exec the server. Each wrapper execs the next, so the pid the
 * supervisor holds stays the group leader; no string is ever interpreted by a shell but our own.
 */
export function wrapCommand(spec: SpawnSpec, layers: SandboxLayers, tools: SandboxTools): SpawnSpec {
  let argv = [spec.command, ...spec.args];

  if (layers.user) {
    if (!tools.setpriv) throw new Error('setpriv is needed to run as another user');
    const { uid, gid } = layers.user;
    argv = [tools.setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--no-new-privs', '--', ...argv];
  }

  if (layers.filesystem) {
    if (!tools.bwrap) throw new Error('bwrap is needed for the filesystem sandbox');
    argv = [tools.bwrap, ...bubblewrapArgs(layers.filesystem, spec.cwd), '--', ...argv];
  }

  const limits = prlimitArgs(layers.rlimits);
  if (limits.length > 0) {
    if (!tools.prlimit) throw new Error('prlimit is needed for per-process limits');
    argv = [tools.prlimit, ...limits, '--', ...argv];
  }

  if (layers.cgroupProcs.length > 0) {
    argv = [tools.sh, '-c', JOIN_CGROUPS, 'mcp-sandbox', String(layers.cgroupProcs.length), ...layers.cgroupProcs, ...argv];
  }

  const [command, ...args] = argv;
  return { ...spec, command, args };
}

export function prlimitArgs(rlimits: RlimitSettings): string[] {
  const args: string[] = [];
  if (rlimits.nofile) args.push(`--nofile=${rlimits.nofile}:${rlimits.nofile}`);
  if (rlimits.nproc) args.push(`--nproc=${rlimits.nproc}:${rlimits.nproc}`);
  if (rlimits.cpuSeconds) args.push(`--cpu=${rlimits.cpuSeconds}:${rlimits.cpuSeconds + CPU_HARD_GRACE_SEC}`);
  if (rlimits.addressSpaceBytes) args.push(`--as=${rlimits.addressSpaceBytes}:${rlimits.addressSpaceBytes}`);
  return args;
}

/**
 * A read-only view of the host with a private /tmp, /dev and /proc (own pid namespace: the proxy's
 * processes and their environments are out of sight), the hidden paths replaced by empty ones and
 * the service's own directories writable. No new session: the supervisor's process-group signals
 * must still reach the server.
 */
export function bubblewrapArgs(view: FilesystemView, cwd: string): string[] {
  const args = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
  ];
  // Outer paths first, so that a hidden directory inside another hidden one is not mounted over twice.
  const tmpfsRoots = ['/tmp', ...view.hideDirectories];
  // Before the hides, so that a hidden directory inside one of them stays hidden.
  for (const dir of view.readable) args.push('--ro-bind', dir, dir);
  for (const dir of [...view.hideDirectories].sort((a, b) => a.length - b.length)) args.push('--tmpfs', dir);
  for (const file of view.hideFiles) args.push('--ro-bind', '/dev/null', file);
  for (const dir of view.writable) {
    // bwrap would create the missing directories above a bind inside an empty tmpfs as 0700 root: let the service's user through.
    for (const between of directoriesBetween(deepestContaining(tmpfsRoots, dir), dir)) args.push('--perms', '0711', '--dir', between);
    args.push('--bind', dir, dir);
  }
  args.push('--chdir', cwd);
  return args;
}

function deepestContaining(roots: string[], path: string): string | null {
  const containing = roots.filter((root) => path.startsWith(`${root}/`));
  return containing.length === 0 ? null : containing.reduce((a, b) => (b.length > a.length ? b : a));
}

/** `/a`, `/a/b/c` → [`/a/b`]: the directories strictly between, outermost first. */
function directoriesBetween(top: string | null, path: string): string[] {
  if (!top) return [];
  const parts = path.slice(top.length + 1).split('/');
  return parts.slice(0, -1).map((_, index) => `${top}/${parts.slice(0, index + 1).join('/')}`);
}
