import { Manifest, manifestFrom, missingRequiredEnv } from './manifest';

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
    ['no manifest at all', {}, 'no mcp.json, mcp-manifest.json or package.json: the repository does not say how to run its server'],
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
