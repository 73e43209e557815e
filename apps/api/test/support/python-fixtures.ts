import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../src/core/time/clock';
import { HostRuntimes, PythonInterpreter } from '../../src/supervisor/runtimes/host-runtimes';

/** The stdlib-only MCP server package (src layout, setuptools), as the tests build and deploy it. */
export const PYTHON_FIXTURE = join(__dirname, '..', 'fixtures', 'python', 'mcp-fixture');

/** Debian keeps wheels of pip, setuptools and wheel here: an isolated build (pip install .) needs the last two offline. */
const SYSTEM_WHEELS = '/usr/share/python-wheels';

/**
 * The Python the proxy itself would pick (a venv-capable one every user may run), so the tests never
 * depend on which Python a developer's PATH puts first (a pyenv shim in root's home, say). Null, with
 * the reason, when it is missing or lacks `build` (Debian python3-build), which the wheel needs.
 */
export async function fixturePython(): Promise<{ python: PythonInterpreter | null; missing: string | null }> {
  const lookup = await new HostRuntimes(new Clock()).python();
  if (!lookup.interpreter) return { python: null, missing: lookup.problem };
  const probe = spawnSync(lookup.interpreter.path, ['-c', 'import build, wheel, setuptools'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return { python: null, missing: `${lookup.interpreter.path} lacks build, wheel or setuptools (python3-build python3-wheel)` };
  return { python: lookup.interpreter, missing: null };
}

/**
 * A local package index in a directory every user can read (services run as users of their own when
 * the tests run as root): the fixture's wheel, built offline with `python -m build --no-isolation`, and
 * the system's pip/setuptools/wheel wheels. Point a service at it with PIP_NO_INDEX=1 and PIP_FIND_LINKS.
 */
export class Wheelhouse {
  private constructor(
    readonly root: string,
    readonly dir: string,
    private readonly python: string,
  ) {}

  static create(python: string): Wheelhouse {
    const root = mkdtempSync(join(tmpdir(), 'mcp-proxy-python-'));
    chmodSync(root, 0o755);
    const dir = join(root, 'wheelhouse');
    mkdirSync(dir, { mode: 0o755 });
    if (existsSync(SYSTEM_WHEELS)) {
      for (const wheel of readdirSync(SYSTEM_WHEELS).filter((file) => /^(pip|setuptools|wheel)-.*\.whl$/.test(file)))
        copyFileSync(join(SYSTEM_WHEELS, wheel), join(dir, wheel));
    }
    const house = new Wheelhouse(root, dir, python);
    house.build('1.0.0', '1');
    return house;
  }

  /** Builds the fixture as `version`, whose `version` tool answers `tool`; returns the wheel's path. */
  build(version: string, tool: string): string {
    const source = this.source(`build-${version}`, version, tool);
    execFileSync(this.python, ['-m', 'build', '--wheel', '--no-isolation', '--outdir', this.dir, source], { stdio: 'pipe' });
    return join(this.dir, `mcp_fixture-${version}-py3-none-any.whl`);
  }

  /** A copy of the fixture's source, as `version` (a directory every user can read). */
  source(name: string, version = '1.0.0', tool = '1'): string {
    const target = join(this.root, name);
    cpSync(PYTHON_FIXTURE, target, { recursive: true });
    setVersion(target, version, tool);
    return target;
  }

  /** A virtualenv with the fixture installed from here, as a user would make one by hand. */
  virtualenv(name: string): string {
    const venv = join(this.root, name);
    execFileSync(this.python, ['-m', 'venv', venv], { stdio: 'pipe' });
    execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', 'mcp-fixture'], {
      stdio: 'pipe',
      env: { ...this.env, PATH: process.env['PATH'] ?? '' },
    });
    return venv;
  }

  /** What a service needs to install from here, and only from here. */
  get env(): Record<string, string> {
    return { PIP_NO_INDEX: '1', PIP_FIND_LINKS: this.dir };
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The package's version (pyproject.toml) and what its `version` tool answers (VERSION in the package). */
export function setVersion(project: string, version: string, tool: string): void {
  const pyproject = join(project, 'pyproject.toml');
  writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace(/^version = ".*"$/m, `version = "${version}"`));
  const init = join(project, 'src', 'mcp_fixture', '__init__.py');
  writeFileSync(init, readFileSync(init, 'utf8').replace(/^VERSION = ".*"$/m, `VERSION = "${tool}"`));
}
