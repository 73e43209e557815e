import { RuntimeUnavailableError } from './runtime-errors';

/**
 * A Python tool run from a package, as `uvx`, `uv tool run` and `pipx run` say it: which requirements
 * to install, which of the package's commands to run, and its arguments. The same request can then be
 * carried out by whichever of uv, a managed virtualenv or pipx the host has.
 */
export interface PythonToolRequest {
  /** The package the command comes from, as a pip requirement (`mcp-server-git`, `mcp-server-git==2025.1.14`). */
  requirement: string;
  /** More requirements installed beside it (`uvx --with`). */
  with: string[];
  /** The console script to run (the package's name unless `--from`/`--spec` named another package). */
  command: string;
  args: string[];
  /** `--python 3.12`: a Python of that version; null for the default one. */
  python: string | null;
}

/** Flags of uvx that change nothing in how the proxy runs the tool (quieter output, no prompts). */
const UVX_IGNORED_FLAGS = new Set(['-q', '--quiet', '--isolated', '--no-progress', '--offline', '--native-tls', '-n', '--no-cache']);
const PIPX_IGNORED_FLAGS = new Set(['-q', '--quiet', '-v', '--verbose', '--no-cache']);

/** `uvx [options] <package>[@version|==version] [args]` (also `uv tool run …`). */
export function parseUvx(args: readonly string[]): PythonToolRequest {
  let from: string | null = null;
  const extra: string[] = [];
  let python: string | null = null;
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index];
    if (!arg.startsWith('-')) break;
    if (arg === '--') {
      index++;
      break;
    }
    const [flag, inline] = splitInline(arg);
    if (flag === '--from') from = valueOf(args, flag, inline, () => ++index, 'uvx');
    else if (flag === '--with') extra.push(valueOf(args, flag, inline, () => ++index, 'uvx'));
    else if (flag === '--python' || flag === '-p') python = valueOf(args, flag, inline, () => ++index, 'uvx');
    else if (!UVX_IGNORED_FLAGS.has(flag))
      throw new RuntimeUnavailableError(
        `uvx option ${flag} is not supported when the proxy runs uvx without uv: install uv, or leave it out`,
      );
  }
  const target = args[index];
  if (target === undefined) throw new RuntimeUnavailableError('uvx needs the package to run: uvx <package> [arguments]');
  // `uvx ruff@0.6.0` is uv's way to pin; `name[extra]==1.0` and other pip specifiers pass as they are.
  const pinned = /^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)@([^@\s/]+)$/.exec(target);
  const requirement = pinned ? (pinned[2] === 'latest' ? pinned[1] : `${pinned[1]}==${pinned[2]}`) : target;
  return {
    requirement: from ?? requirement,
    with: extra,
    command: from ? target : packageName(requirement),
    args: args.slice(index + 1),
    python: pythonVersionOf(python),
  };
}

/** `pipx run [options] [--spec <requirement>] <app> [args]`; `args` are those after `run`. */
export function parsePipxRun(args: readonly string[]): PythonToolRequest {
  let spec: string | null = null;
  let python: string | null = null;
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index];
    if (!arg.startsWith('-')) break;
    if (arg === '--') {
      index++;
      break;
    }
    const [flag, inline] = splitInline(arg);
    if (flag === '--spec') spec = valueOf(args, flag, inline, () => ++index, 'pipx run');
    else if (flag === '--python') python = valueOf(args, flag, inline, () => ++index, 'pipx run');
    else if (!PIPX_IGNORED_FLAGS.has(flag))
      throw new RuntimeUnavailableError(
        `pipx run option ${flag} is not supported when the proxy runs it without pipx: install pipx, or leave it out`,
      );
  }
  const app = args[index];
  if (app === undefined) throw new RuntimeUnavailableError('pipx run needs the app to run: pipx run <package> [arguments]');
  return { requirement: spec ?? app, with: [], command: packageName(app), args: args.slice(index + 1), python: pythonVersionOf(python) };
}

/** The same request in uvx's words (for a host that has uv where the service said pipx). */
export function uvxArgs(request: PythonToolRequest): string[] {
  const python = request.python ? ['--python', request.python] : [];
  const extra = request.with.flatMap((requirement) => ['--with', requirement]);
  return [...python, ...extra, '--from', request.requirement, request.command, ...request.args];
}

/** The same request in pipx's words (for a host that has only pipx where the service said uvx). */
export function pipxRunArgs(request: PythonToolRequest): string[] {
  if (request.with.length > 0)
    throw new RuntimeUnavailableError('uvx --with needs uv or a Python with venv on this host (pipx run cannot add packages): install uv');
  const python = request.python ? ['--python', `python${request.python}`] : [];
  return ['run', ...python, '--spec', request.requirement, request.command, ...request.args];
}

/** `mcp-server-git==1.0` → `mcp-server-git`; `pkg[extra]>=2` → `pkg`. */
export function packageName(requirement: string): string {
  return requirement.split(/[\s[<>=!~;@]/)[0];
}

/** `--python python3.12` (pipx's way) and `--python 3.12` (uv's) both mean version 3.12. */
function pythonVersionOf(value: string | null): string | null {
  if (value === null) return null;
  const match = /^(?:python)?(\d+(?:\.\d+)?)$/.exec(value);
  return match ? match[1] : value;
}

function splitInline(arg: string): [string, string | null] {
  const equals = arg.indexOf('=');
  return arg.startsWith('--') && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, null];
}

function valueOf(args: readonly string[], flag: string, inline: string | null, next: () => number, tool: string): string {
  if (inline !== null) return inline;
  const value = args[next()];
  if (value === undefined || value.startsWith('-')) throw new RuntimeUnavailableError(`${tool} ${flag} needs a value`);
  return value;
}
