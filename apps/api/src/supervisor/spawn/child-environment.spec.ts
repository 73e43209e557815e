import { buildChildEnvironment, variablesHoldingProxySecrets } from './child-environment';

describe('buildChildEnvironment', () => {
  const inherited = { PATH: '/usr/bin:/bin', HOME: '/home/proxy', LANG: 'C.UTF-8' };

  it('passes a small safe base, forces a dumb terminal, and adds the service variables', () => {
    expect(buildChildEnvironment({ inherited, service: { UPSTREAM_TOKEN: 'abc' } })).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/proxy',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
      UPSTREAM_TOKEN: 'abc',
    });
  });

  it("adds what the service's tool needs over the inherited base, and lets the service's own variables win", () => {
    const env = buildChildEnvironment({
      inherited,
      tooling: { PIP_CACHE_DIR: '/homes/svc/.cache/pip', PYTHONUNBUFFERED: '1' },
      service: { PIP_CACHE_DIR: '/srv/own-cache' },
    });
    expect(env).toMatchObject({ PIP_CACHE_DIR: '/srv/own-cache', PYTHONUNBUFFERED: '1', HOME: '/home/proxy' });
  });

  it('takes nothing it was not asked to inherit, whatever the caller hands it', () => {
    const env = buildChildEnvironment({
      inherited: { ...inherited, API_KEY: 'proxy-key', JWT_SECRET: 'x', NODE_ENV: 'production' },
      service: {},
    });
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'NO_COLOR', 'PATH', 'TERM']);
  });

  it.each([
    ['the service overrides an inherited value', { TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8' }, { TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8' }],
    [
      'code-loading variables are dropped even from old rows',
      {
        NODE_OPTIONS: '--require /tmp/x.js',
        ld_preload: '/x.so',
        PATH: '/opt/bin',
        npm_config_registry: 'http://evil',
        GIT_SSH_COMMAND: 'x',
      },
      {},
    ],
    [
      'a service may name a variable like one of the proxy secrets: its own value goes through',
      { API_KEY: 'service-own-key' },
      { API_KEY: 'service-own-key' },
    ],
  ])('%s', (_title, service, expected) => {
    const env = buildChildEnvironment({ inherited: {}, service });
    expect(env).toEqual({ TERM: 'dumb', NO_COLOR: '1', ...expected });
  });

  it('passes the assigned port as PORT, over any PORT of the service', () => {
    expect(buildChildEnvironment({ inherited: {}, service: { PORT: '1' }, port: 43123 })['PORT']).toBe('43123');
    expect(buildChildEnvironment({ inherited: {}, service: {}, port: null })['PORT']).toBeUndefined();
  });
});

describe('variablesHoldingProxySecrets', () => {
  it.each([
    [{ A: 'proxy-api-key-123' }, ['A']],
    [{ A: 'Bearer proxy-api-key-123' }, ['A']],
    [{ A: 'something else', B: 'proxy-api-key-123' }, ['B']],
    [{ A: 'short' }, []],
  ])('%p → %p', (service, expected) => {
    expect(variablesHoldingProxySecrets(service, ['proxy-api-key-123', 'short', ''])).toEqual(expected);
  });
});
