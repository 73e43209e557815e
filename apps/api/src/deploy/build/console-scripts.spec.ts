import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consoleScripts, installedProject } from './console-scripts';

describe('the console scripts of the project a build installed', () => {
  let build: string;
  const distInfo = (name: string) => join(build, '.venv', 'lib', 'python3.11', 'site-packages', name);

  beforeEach(() => {
    build = mkdtempSync(join(tmpdir(), 'console-scripts-'));
  });
  afterEach(() => rmSync(build, { recursive: true, force: true }));

  function installed(name: string, url: string, entryPoints: string): void {
    mkdirSync(distInfo(name), { recursive: true });
    writeFileSync(join(distInfo(name), 'direct_url.json'), JSON.stringify({ url, dir_info: {} }));
    writeFileSync(join(distInfo(name), 'entry_points.txt'), entryPoints);
  }

  it('reads [console_scripts] only', () => {
    expect(consoleScripts('[console_scripts]\nmcp-a = a.main:run\nmcp-b=b:main\n\n[gui_scripts]\ngui = g:main\n')).toEqual([
      'mcp-a',
      'mcp-b',
    ]);
  });

  it('finds the distribution installed from the build directory, not a dependency installed from elsewhere', async () => {
    installed('dependency-2.0.dist-info', pathToFileURL('/elsewhere').href, '[console_scripts]\nother = o:main\n');
    installed('mcp_fixture-1.0.0.dist-info', pathToFileURL(build).href, '[console_scripts]\nmcp-fixture = mcp_fixture.server:main\n');
    expect(await installedProject(build)).toEqual({ name: 'mcp_fixture', scripts: ['mcp-fixture'] });
  });

  it('is null when the project itself was not installed (a requirements.txt alone)', async () => {
    installed('dependency-2.0.dist-info', 'https://files.example/dependency.whl', '[console_scripts]\nother = o:main\n');
    expect(await installedProject(build)).toBeNull();
  });

  it('does not follow a link out of the build', async () => {
    mkdirSync(distInfo('evil-1.dist-info'), { recursive: true });
    writeFileSync(join(distInfo('evil-1.dist-info'), 'direct_url.json'), JSON.stringify({ url: pathToFileURL(build).href }));
    symlinkSync('/etc/passwd', join(distInfo('evil-1.dist-info'), 'entry_points.txt'));
    expect(await installedProject(build)).toEqual({ name: 'evil', scripts: [] });
  });
});
