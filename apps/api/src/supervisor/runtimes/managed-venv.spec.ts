import { execFileSync } from 'node:child_process';
import { managedVenvCommand, managedVenvName } from './managed-venv';
import { parseUvx } from './python-tool-spec';

describe('managed virtualenvs (uvx without uv)', () => {
  it('names one per package, version and interpreter', () => {
    const pinned = managedVenvName('/usr/bin/python3', ['mcp-fixture==1.0.0']);
    expect(pinned).toMatch(/^mcp-fixture-1\.0\.0-[0-9a-f]{10}$/);
    expect(managedVenvName('/usr/bin/python3', ['mcp-fixture'])).toMatch(/^mcp-fixture-latest-[0-9a-f]{10}$/);
    expect(managedVenvName('/usr/bin/python3', ['mcp-fixture==1.0.1'])).not.toBe(pinned);
    expect(managedVenvName('/opt/python3.12/bin/python3', ['mcp-fixture==1.0.0'])).not.toBe(pinned);
    expect(managedVenvName('/usr/bin/python3', ['mcp-fixture==1.0.0', 'extra'])).not.toBe(pinned);
    expect(managedVenvName('/usr/bin/python3', ['../../evil'])).toMatch(/^\.\._\.\._evil-latest-/);
  });

  it('runs the bootstrap with the interpreter, isolated, and passes the tool its arguments unchanged', () => {
    const planned = managedVenvCommand('/usr/bin/python3', parseUvx(['mcp-fixture==1.0.0', '--name', 'x y']), '/srv/home');
    expect(planned.command).toBe('/usr/bin/python3');
    expect(planned.args.slice(0, 2)).toEqual(['-I', '-c']);
    expect(planned.args.slice(3)).toEqual([planned.venv, 'mcp-fixture', '["mcp-fixture==1.0.0"]', '--name', 'x y']);
    expect(planned.venv).toMatch(/^\/srv\/home\/\.cache\/mcp-proxy\/venvs\/mcp-fixture-1\.0\.0-/);
  });

  it('is valid Python', () => {
    const bootstrap = managedVenvCommand('python3', parseUvx(['x']), '/tmp').args[2];
    // Compiles it only: nothing runs.
    expect(() =>
      execFileSync('python3', ['-I', '-c', 'import sys; compile(sys.stdin.read(), "bootstrap", "exec")'], { input: bootstrap }),
    ).not.toThrow();
  });
});
