import { join } from 'node:path';

/**
 * What uv, pip and pipx need to work for a service, all under the service's own home: their caches,
 * pipx's virtualenvs and uv's tools and interpreters. Nothing of the proxy's own environment (its
 * VIRTUAL_ENV, PYTHONPATH, pip configuration) is ever passed. The service's variables win over these.
 */
export function pythonToolEnvironment(home: string): Record<string, string> {
  return {
    UV_CACHE_DIR: join(home, '.cache', 'uv'),
    UV_TOOL_DIR: join(home, '.local', 'share', 'uv', 'tools'),
    UV_PYTHON_INSTALL_DIR: join(home, '.local', 'share', 'uv', 'python'),
    PIP_CACHE_DIR: join(home, '.cache', 'pip'),
    PIPX_HOME: join(home, '.local', 'pipx'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    // A server that prints without flushing would otherwise hold its answers in a pipe buffer.
    PYTHONUNBUFFERED: '1',
  };
}

/**
 * A service's own variables that tell pip and uv where packages come from (an index, a mirror, a
 * local wheelhouse): also given to a Python build's install, which otherwise gets nothing of the service's.
 */
export function packageIndexVariables(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter(([key]) => /^(PIP|UV)_[A-Z0-9_]+$/.test(key)));
}
