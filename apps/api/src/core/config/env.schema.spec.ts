import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidEnvironmentError, validateEnv } from './env.schema';

function problemsFor(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
}

describe('validateEnv', () => {
  // In an empty working directory: an older install's ./data/mcp-proxy.db or ./logs there would be used instead (see state-paths.spec.ts).
  const previous = process.cwd();
  beforeAll(() => process.chdir(mkdtempSync(join(tmpdir(), 'env-schema-'))));
  afterAll(() => process.chdir(previous));

  it('fills every default from the contract when nothing is set', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      BACKEND_PORT: 8437,
      FRONTEND_PORT: 3437,
      HTTPS_PORT: 8443,
      HOST: '0.0.0.0',
      SSL_ENABLED: false,
      FORCE_SSL: false,
      SSL_PROVIDER: 'self-signed',
      ENABLE_UPNP: false,
      AUTO_MAP_PORTS: false,
      UPNP_TIMEOUT_MS: 3000,
      UPNP_LEASE_SEC: 3600,
      PORT_CHECK_URLS: [],
      NETWORK_TIMEOUT_MS: 5000,
      DATABASE_URL: './data/mcp-proxy.db',
      CLONE_DIRECTORY: './data/clones',
      LOG_LEVEL: 'info',
      LOG_DIR: './data/logs',
      ENABLE_METRICS: true,
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.API_KEY).toBeUndefined();
  });

  it.each([
    ['BACKEND_PORT', 'abc'],
    ['BACKEND_PORT', '0'],
    ['FRONTEND_PORT', '70000'],
    ['HTTPS_PORT', '84.5'],
    ['HOST', 'not a host'],
    ['SSL_ENABLED', 'maybe'],
    ['SSL_PROVIDER', 'acme'],
    ['DOMAIN', 'exa mple.com'],
    ['SSL_EMAIL', 'nobody'],
    ['ACME_DIRECTORY_URL', 'ftp://acme'],
    ['ACME_DNS_RESOLVERS', '1.1.1.1,dns.example.com'],
    ['ACME_DNS_RESOLVERS', '127.0.0.1:99999'],
    ['PUBLIC_IP', '300.1.1.1'],
    ['DATABASE_URL', 'mysql://db/x'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['LOG_LEVEL', 'loud'],
    ['ENABLE_METRICS', '2'],
    ['SESSION_TTL_MINUTES', '0'],
    ['GITHUB_API_URL', 'api.github.com'],
    ['GITHUB_HOST', 'https://github.com'],
    ['GITHUB_HOST', 'github.com:99999'],
    ['DEPLOY_QUEUE_PREFIX', 'two words'],
    ['DEPLOY_ATTEMPTS', '0'],
    ['DEPLOY_STEP_TIMEOUT_SEC', '1'],
    ['UPNP_TIMEOUT_MS', '50'],
    ['UPNP_LEASE_SEC', '-1'],
    ['PUBLIC_IP_URLS', 'https://ok.example/ip,ftp://whatismyip'],
    ['PORT_CHECK_URLS', 'not a url'],
    ['INSTANCE_ID', 'two words'],
    ['INSTANCE_URL', 'redis://10.0.0.5:8437'],
    ['LEASE_TTL_SEC', '1'],
    ['SHUTDOWN_GRACE_SEC', '-1'],
    ['CLUSTER_KEY_PREFIX', 'two words'],
    ['PUBLIC_URL', 'https://mcp.example.com/base'],
    ['PUBLIC_URL', 'ftp://mcp.example.com'],
    ['OAUTH_ACCESS_TOKEN_TTL_SEC', '5'],
    ['TRUSTED_PROXIES', 'loopback, my-proxy.local'],
    ['TRUSTED_PROXIES', '10.0.0.0/33'],
    ['TRUSTED_PROXIES', '*'],
  ])('refuses %s=%s with a message naming the key', (key, value) => {
    const problems = problemsFor({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key}=`));
  });

  it.each([
    ['SSL_ENABLED', 'TRUE', true],
    ['SSL_ENABLED', '0', false],
    ['DATABASE_URL', 'postgres://u:p@127.0.0.1:5432/db', 'postgres://u:p@127.0.0.1:5432/db'],
    ['DATABASE_URL', '/var/lib/mcp/proxy.db', '/var/lib/mcp/proxy.db'],
    ['REDIS_URL', 'redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['HOST', '::', '::'],
    ['PRIVATE_IP', '192.168.1.20', '192.168.1.20'],
    ['ENCRYPTION_KEY', 'ab'.repeat(32), 'ab'.repeat(32)],
    ['GITHUB_HOST', 'GHE.example.com:8443', 'ghe.example.com:8443'],
    ['GITHUB_HOST', '127.0.0.1:9418', '127.0.0.1:9418'],
    ['PUBLIC_IP_URLS', 'https://a.example/ip, http://127.0.0.1:9/ip', ['https://a.example/ip', 'http://127.0.0.1:9/ip']],
    ['PUBLIC_IP_URLS', '', []],
    ['PORT_CHECK_URLS', 'https://check.example/{host}/{port}', ['https://check.example/{host}/{port}']],
    ['UPNP_LEASE_SEC', '0', 0],
    ['INSTANCE_ID', 'proxy-1.eu', 'proxy-1.eu'],
    ['SHUTDOWN_GRACE_SEC', '0', 0],
    ['ACME_DNS_RESOLVERS', '1.1.1.1, 127.0.0.1:8053,[::1]:53,::1', ['1.1.1.1', '127.0.0.1:8053', '[::1]:53', '::1']],
    ['PUBLIC_URL', 'https://MCP.example.com/', 'https://mcp.example.com'],
    ['PUBLIC_URL', 'http://127.0.0.1:8437', 'http://127.0.0.1:8437'],
    ['TRUSTED_PROXIES', '', []],
    ['TRUSTED_PROXIES', 'loopback, 10.0.0.0/8,192.168.1.5, fd00::/8', ['loopback', '10.0.0.0/8', '192.168.1.5', 'fd00::/8']],
  ])('accepts %s=%s', (key, value, expected) => {
    expect(validateEnv({ [key]: value })[key as 'HOST']).toEqual(expected);
  });

  it('puts the database, logs and clones under DATA_DIR unless they are set', () => {
    expect(validateEnv({ DATA_DIR: '/srv/mcp-state-that-does-not-exist' })).toMatchObject({
      DATABASE_URL: '/srv/mcp-state-that-does-not-exist/mcp-proxy.db',
      LOG_DIR: '/srv/mcp-state-that-does-not-exist/logs',
      CLONE_DIRECTORY: '/srv/mcp-state-that-does-not-exist/clones',
    });
    expect(
      validateEnv({ DATA_DIR: '/srv/a/', DATABASE_URL: 'postgres://u@db/x', LOG_DIR: '/var/log/mcp', CLONE_DIRECTORY: '' }),
    ).toMatchObject({
      DATABASE_URL: 'postgres://u@db/x',
      LOG_DIR: '/var/log/mcp',
      CLONE_DIRECTORY: '/srv/a/clones',
    });
  });

  it('reports every bad key at once', () => {
    expect(problemsFor({ BACKEND_PORT: 'x', LOG_LEVEL: 'y' })).toEqual([
      expect.stringMatching(/^BACKEND_PORT=/),
      expect.stringMatching(/^LOG_LEVEL=/),
    ]);
  });

  it('never echoes a secret value in its message', () => {
    const [problem] = problemsFor({ API_KEY: 'short-secret' });
    expect(problem).toContain('API_KEY');
    expect(problem).not.toContain('short-secret');
  });

  it.each([
    [{ BACKEND_PORT: '9000', FRONTEND_PORT: '9000' }, /^FRONTEND_PORT=9000 is already used by BACKEND_PORT/],
    [{ FORCE_SSL: 'true' }, /FORCE_SSL=true needs SSL_ENABLED=true/],
    [{ INSTANCE_URL: 'http://10.0.0.5:8437' }, /INSTANCE_URL .* needs REDIS_URL and a postgres:\/\/ DATABASE_URL/],
    [{ INSTANCE_URL: 'http://10.0.0.5:8437', REDIS_URL: 'redis://127.0.0.1:6379' }, /INSTANCE_URL .* needs REDIS_URL and a postgres/],
    [{ AUTO_MAP_PORTS: 'true' }, /^AUTO_MAP_PORTS=true needs ENABLE_UPNP=true$/],
    [{ SSL_ENABLED: 'true', SSL_PROVIDER: 'letsencrypt' }, /DOMAIN is required/],
    [{ SSL_ENABLED: 'true', SSL_PROVIDER: 'letsencrypt', DOMAIN: '*.example.com' }, /DOMAIN=\*\.example\.com needs CLOUDFLARE_TOKEN/],
  ])('checks rules across keys: %o', (env, message) => {
    expect(problemsFor(env)).toEqual([expect.stringMatching(message)]);
  });
});
