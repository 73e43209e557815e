import { packageName, parsePipxRun, parseUvx, pipxRunArgs, uvxArgs } from './python-tool-spec';
import { RuntimeUnavailableError } from './runtime-errors';

describe('uvx and pipx run, read as one request', () => {
  it.each([
    [['mcp-server-git'], { requirement: 'mcp-server-git', command: 'mcp-server-git', args: [] }],
    [
      ['mcp-server-git', '--repository', '/srv/repo'],
      { requirement: 'mcp-server-git', command: 'mcp-server-git', args: ['--repository', '/srv/repo'] },
    ],
    [['mcp-server-fetch==2025.1.17'], { requirement: 'mcp-server-fetch==2025.1.17', command: 'mcp-server-fetch', args: [] }],
    [['mcp-server-fetch@2025.1.17'], { requirement: 'mcp-server-fetch==2025.1.17', command: 'mcp-server-fetch', args: [] }],
    [['mcp-server-fetch@latest'], { requirement: 'mcp-server-fetch', command: 'mcp-server-fetch', args: [] }],
    [['tool[extra]>=2', '-x'], { requirement: 'tool[extra]>=2', command: 'tool', args: ['-x'] }],
    [['--from', 'mcp-fixture==1.0.0', 'mcp-fixture', 'a'], { requirement: 'mcp-fixture==1.0.0', command: 'mcp-fixture', args: ['a'] }],
    [['--from=pkg', 'cmd'], { requirement: 'pkg', command: 'cmd', args: [] }],
    [['-q', '--with', 'extra-dep', 'pkg', '--flag'], { requirement: 'pkg', with: ['extra-dep'], command: 'pkg', args: ['--flag'] }],
    [['--python', '3.12', 'pkg'], { requirement: 'pkg', command: 'pkg', python: '3.12' }],
    [['--', '--odd-name'], { requirement: '--odd-name', command: '--odd-name' }],
  ])('uvx %j', (args, expected) => {
    expect(parseUvx(args)).toMatchObject({ with: [], python: null, ...expected });
  });

  it.each([
    [[], 'uvx needs the package to run'],
    [['--from'], 'uvx --from needs a value'],
    [
      ['--index-url', 'https://example.test', 'pkg'],
      'uvx option --index-url is not supported when the proxy runs uvx without uv: install uv, or leave it out',
    ],
  ])('refuses uvx %j, saying why', (args, message) => {
    expect(() => parseUvx(args)).toThrow(RuntimeUnavailableError);
    expect(() => parseUvx(args)).toThrow(message);
  });

  it.each([
    [['mcp-fixture'], { requirement: 'mcp-fixture', command: 'mcp-fixture', args: [] }],
    [['--spec', 'mcp-fixture==1.0.0', 'mcp-fixture', '--x'], { requirement: 'mcp-fixture==1.0.0', command: 'mcp-fixture', args: ['--x'] }],
    [['--python', 'python3.11', 'pkg'], { requirement: 'pkg', command: 'pkg', python: '3.11' }],
  ])('pipx run %j', (args, expected) => {
    expect(parsePipxRun(args)).toMatchObject(expected);
  });

  it('says a request in the words of the tool the host has', () => {
    const request = parseUvx(['--with', 'dep', 'mcp-fixture==1.0.0', '--flag']);
    expect(uvxArgs(request)).toEqual(['--with', 'dep', '--from', 'mcp-fixture==1.0.0', 'mcp-fixture', '--flag']);
    expect(() => pipxRunArgs(request)).toThrow('uvx --with needs uv or a Python with venv on this host');
    expect(pipxRunArgs(parseUvx(['--python', '3.12', 'pkg==1', 'x']))).toEqual([
      'run',
      '--python',
      'python3.12',
      '--spec',
      'pkg==1',
      'pkg',
      'x',
    ]);
  });

  it.each([
    ['mcp-server-git', 'mcp-server-git'],
    ['a==1', 'a'],
    ['b[x,y]>=2', 'b'],
    ['c ; python_version>"3"', 'c'],
  ])('the package name of %s is %s', (requirement, name) => {
    expect(packageName(requirement)).toBe(name);
  });
});
