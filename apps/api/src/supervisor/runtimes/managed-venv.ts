import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PythonToolRequest } from './python-tool-spec';

/** Where a service's managed virtualenvs live, inside its home: one per package, version and interpreter. */
export const MANAGED_VENVS_DIRECTORY = join('.cache', 'mcp-proxy', 'venvs');

/**
 * Run by the service's interpreter in place of uvx on a host without uv: makes the virtualenv (once,
 * under a lock, so two children of the service never install into the same one at once), installs the
 * requirements with pip, then becomes the tool's console script (exec: the proxy holds the server's
 * own pid). pip's output goes to stderr, the service log; stdin, which carries the proxy's messages,
 * is kept from pip and left for the server. Only the standard library, Python 3.8+.
 */
const BOOTSTRAP = `
import fcntl, json, os, shutil, subprocess, sys
venv, command, requirements, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
def say(text):
    sys.stderr.write("mcp-proxy: %s\\n" % text)
    sys.stderr.flush()
ready = os.path.join(venv, ".mcp-proxy-ready")
if not os.path.exists(ready):
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    with open(venv + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(ready):
            shutil.rmtree(venv, ignore_errors=True)
            say("installing %s into %s (first start; later starts reuse it)" % (" ".join(requirements), venv))
            steps = [
                [sys.executable, "-m", "venv", venv],
                [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"] + requirements,
            ]
            for step in steps:
                code = subprocess.call(step, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno())
                if code != 0:
                    shutil.rmtree(venv, ignore_errors=True)
                    say("installing %s failed: %s exited with code %d" % (" ".join(requirements), " ".join(step[:4]), code))
                    sys.exit(1)
            open(ready, "w").close()
executable = os.path.join(venv, "bin", command)
if not os.access(executable, os.X_OK):
    skip = ("python", "pip", "activate", "Activate")
    offered = sorted(name for name in os.listdir(os.path.join(venv, "bin")) if not name.startswith(skip))
    say("%s has no command %s (it has: %s): name the package with --from <package> <command>" % (requirements[0], command, ", ".join(offered) or "none"))
    sys.exit(127)
os.execv(executable, [executable] + args)
`;

export interface ManagedVenvCommand {
  command: string;
  args: string[];
  /** The virtualenv the tool runs from. */
  venv: string;
}

/**
 * The command that runs a uvx/pipx request from a managed virtualenv under `home`: cached per
 * requirements and interpreter, so a pinned version installs once and a new pin installs beside it.
 * `-I` keeps the bootstrap itself from reading PYTHON* variables or the working directory.
 */
export function managedVenvCommand(interpreter: string, request: PythonToolRequest, home: string): ManagedVenvCommand {
  const requirements = [request.requirement, ...request.with];
  const venv = join(home, MANAGED_VENVS_DIRECTORY, managedVenvName(interpreter, requirements));
  return {
    command: interpreter,
    args: ['-I', '-c', BOOTSTRAP, venv, request.command, JSON.stringify(requirements), ...request.args],
    venv,
  };
}

/** `mcp-server-git-2025.1.14-1a2b3c4d5e` (`latest` when unpinned): readable, and unique per requirements and interpreter. */
export function managedVenvName(interpreter: string, requirements: readonly string[]): string {
  const [first] = requirements;
  const pinned = /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*([A-Za-z0-9._+!-]+)$/.exec(first);
  const label = pinned ? `${pinned[1]}-${pinned[2]}` : `${first.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-latest`;
  const hash = createHash('sha256').update(JSON.stringify({ interpreter, requirements })).digest('hex').slice(0, 10);
  return `${label.toLowerCase()}-${hash}`;
}
