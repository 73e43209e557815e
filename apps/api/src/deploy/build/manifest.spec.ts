import { describeManifest, Manifest, manifestFrom, missingRequiredEnv } from './manifest';

type Files = Parameters<typeof manifestFrom>[0];

const none: Files = { 'mcp.json': null, 'mcp-manifest.json': null, 'package.json': null };

describe('manifestFrom', () => {
  it.each<[string, Partial<Files>, Partial<Manifest>]>([
    [
      'mcp.json with every field',
      {
        'mcp.json': {
          name: 'weather',
          description: 'Forecasts',
          entryPoint: 'src/index.js',
          requiredEnv: ['API_KEY'],
          defaultEnv: { UNITS: 'metric', RETRIES: 3 },
        },
      },
      {
        source: 'mcp.json',
        name: 'weather',
        description: 'Forecasts',
        entryPoint: 'src/index.js',
        requiredEnv: ['API_KEY'],
        defaultEnv: { UNITS: 'metric', RETRIES: '3' },
      },
    ],
    [
      'mcp.json first, even beside the others',
      { 'mcp.json': { entryPoint: 'a.js' }, 'mcp-manifest.json': { entryPoint: 'b.js' }, 'package.json': { main: 'c.js' } },
      { source: 'mcp.json', entryPoint: 'a.js' },
    ],
    [
      'mcp-manifest.json when there is no mcp.json',
      { 'mcp-manifest.json': { entryPoint: 'b.js' }, 'package.json': { main: 'c.js' } },
      { source: 'mcp-manifest.json', entryPoint: 'b.js' },
    ],
    [
      "a manifest without entryPoint takes package.json's main, name and description",
      { 'mcp.json': { requiredEnv: ['TOKEN'] }, 'package.json': { name: 'pkg', description: 'from package.json', main: 'dist/main.js' } },
      { source: 'mcp.json', name: 'pkg', description: 'from package.json', entryPoint: 'dist/main.js', requiredEnv: ['TOKEN'] },
    ],
    [
      'package.json main and its mcp section',
      {
        'package.json': {
          name: 'notes',
          main: './dist/server.js',
          mcp: { requiredEnv: ['NOTES_TOKEN', 'NOTES_TOKEN'], defaultEnv: { LEVEL: 'info' } },
        },
      },
      { source: 'package.json', name: 'notes', entryPoint: 'dist/server.js', requiredEnv: ['NOTES_TOKEN'], defaultEnv: { LEVEL: 'info' } },
    ],
    [
      'package.json main alone',
      { 'package.json': { main: 'index.js' } },
      { source: 'package.json', name: null, entryPoint: 'index.js', requiredEnv: [], defaultEnv: {} },
    ],
    [
      "package.json's mcp.entryPoint over main",
      { 'package.json': { main: 'lib.js', mcp: { entryPoint: 'bin/server.js' } } },
      { entryPoint: 'bin/server.js' },
    ],
  ])('%s', (_case, files, expected) => {
    expect(manifestFrom({ ...none, ...files })).toMatchObject(expected);
  });

  it.each<[string, Partial<Files>, string]>([
    [
      'no manifest at all',
      {},
      'no mcp.json, mcp-manifest.json, package.json, pyproject.toml or requirements.txt: the repository does not say how to run its server',
    ],
    [
      'package.json without main',
      { 'package.json': { name: 'x' } },
      'package.json has no main: name the file that starts the server (or add mcp.json)',
    ],
    [
      'a manifest without any entry point',
      { 'mcp.json': { name: 'x' } },
      'mcp.json has no entryPoint (and package.json no main): name the file that starts the server',
    ],
    [
      'an entry point outside the repository',
      { 'mcp.json': { entryPoint: '../../etc/passwd' } },
      'the entry point ../../etc/passwd is outside the repository',
    ],
    ['an absolute entry point', { 'mcp.json': { entryPoint: '/usr/bin/node' } }, 'the entry point /usr/bin/node is outside the repository'],
    [
      'requiredEnv that is not a list of names',
      { 'mcp.json': { entryPoint: 'a.js', requiredEnv: 'API_KEY' } },
      'mcp.json requiredEnv must be a list of variable names',
    ],
    [
      'a bad variable name',
      { 'mcp.json': { entryPoint: 'a.js', requiredEnv: ['API-KEY'] } },
      'mcp.json requiredEnv must be a list of variable names',
    ],
    [
      'a default that is an object',
      { 'package.json': { main: 'a.js', mcp: { defaultEnv: { X: { nested: 1 } } } } },
      'package.json mcp.defaultEnv.X must be a string',
    ],
    ['a manifest that is not an object', { 'mcp-manifest.json': ['a.js'] }, 'mcp-manifest.json must be a JSON object'],
  ])('refuses %s', (_case, files, message) => {
    expect(() => manifestFrom({ ...none, ...files })).toThrow(message);
  });
});

describe('missingRequiredEnv', () => {
  const manifest = manifestFrom({
    ...none,
    'mcp.json': { entryPoint: 'a.js', requiredEnv: ['A', 'B', 'C', 'D'], defaultEnv: { C: 'default' } },
  });

  it('names each required variable that is neither set (non-empty) nor defaulted, in order', () => {
    expect(missingRequiredEnv(manifest, { B: 'set', D: '' })).toEqual(['A', 'D']);
    expect(missingRequiredEnv(manifest, { A: '1', B: '2', D: '4' })).toEqual([]);
  });
});

describe('manifestFrom for Python repositories', () => {
  const pyproject = { pyproject: true, requirements: false };

  it.each<[string, Partial<Files>, Parameters<typeof manifestFrom>[1], Partial<Manifest>]>([
    [
      'pyproject.toml alone',
      {},
      pyproject,
      { source: 'pyproject.toml', runtime: 'python', name: null, command: null, module: null, entryPoint: null, args: [], pyproject: true },
    ],
    [
      'requirements.txt alone',
      {},
      { pyproject: false, requirements: true },
      { source: 'requirements.txt', runtime: 'python', requirements: true },
    ],
    [
      'mcp.json beside pyproject.toml, no package.json',
      { 'mcp.json': { name: 'weather', module: 'weather.server', args: ['--stdio'], requiredEnv: ['API_KEY'] } },
      pyproject,
      { source: 'mcp.json', runtime: 'python', name: 'weather', module: 'weather.server', args: ['--stdio'], requiredEnv: ['API_KEY'] },
    ],
    [
      'mcp.json naming its runtime where package.json is there too',
      { 'mcp.json': { runtime: 'python', command: 'mcp-weather' }, 'package.json': { name: 'tooling', main: 'x.js' } },
      pyproject,
      { runtime: 'python', command: 'mcp-weather', name: null },
    ],
    [
      'a .py entry point',
      { 'mcp.json': { runtime: 'python', entryPoint: 'server.py' } },
      undefined,
      { runtime: 'python', entryPoint: 'server.py' },
    ],
    [
      'package.json wins over pyproject.toml when nothing says otherwise',
      { 'package.json': { main: 'index.js' } },
      pyproject,
      { runtime: 'node', source: 'package.json', entryPoint: 'index.js' },
    ],
  ])('%s', (_case, files, python, expected) => {
    expect(manifestFrom({ ...none, ...files }, python)).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown runtime', { runtime: 'ruby' }, 'mcp.json runtime must be "node" or "python"'],
    ['a module that is not a module name', { runtime: 'python', module: 'my-server' }, 'mcp.json module must be a Python module name'],
    [
      'a command with its arguments in it',
      { runtime: 'python', command: 'python -m x' },
      'mcp.json command must be one program (put its arguments in "args")',
    ],
    ['a command outside the repository', { runtime: 'python', command: '../bin/x' }, 'the entry point ../bin/x is outside the repository'],
    ['args that are not strings', { runtime: 'python', args: [1] }, 'mcp.json args must be a list of strings'],
  ])('refuses %s', (_case, raw, message) => {
    expect(() => manifestFrom({ ...none, 'mcp.json': raw }, pyproject)).toThrow(message);
  });

  it('tells the deploy log what it installs and starts', () => {
    expect(describeManifest(manifestFrom(none, { pyproject: true, requirements: true }))).toBe(
      "manifest from pyproject.toml: unnamed, Python, installs requirements.txt and the project (pyproject.toml), starts the project's console script",
    );
    expect(
      describeManifest(manifestFrom({ ...none, 'mcp.json': { runtime: 'python', name: 'w', command: 'python', args: ['-m', 'w'] } })),
    ).toBe('manifest from mcp.json: w, Python, installs nothing, starts command python -m w');
    expect(describeManifest(manifestFrom({ ...none, 'mcp.json': { entryPoint: 'a.js', requiredEnv: ['K'] } }))).toBe(
      'manifest from mcp.json: unnamed, entry point a.js, requires K',
    );
  });
});
