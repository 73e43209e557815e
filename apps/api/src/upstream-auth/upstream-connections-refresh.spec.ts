import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NamedLocks, NO_LOCKS, RedisLocks } from '../cluster/redis-lock';
import type { AppConfig } from '../core/config/app-config';
import { SecretBox } from '../core/crypto/secret-box';
import { Clock } from '../core/time/clock';
import type { RemoteSettings } from '../services/remote-settings';
import type { ServicesService } from '../services/services.service';
import type { ConnectionOwners } from './connection-owners';
import { SQLITE_DRIVER } from '../core/database/data-source-options';
import { UpstreamClientEntity, UpstreamConnectionEntity } from './upstream-auth.entities';
import { OAuthService, UpstreamConnections } from './upstream-connections.service';
import type { OAuthTokens } from './upstream-oauth-client';

/** The remote's authorization server: rotates refresh tokens and ends the grant when a rotated one comes back. */
const server = { current: 'refresh-1', refreshes: 0, revoked: false };

jest.mock('./upstream-oauth-client', () => ({
  ...jest.requireActual('./upstream-oauth-client'),
  discoverAuthServer: async () => ({
    issuer: 'https://as.example',
    metadata: {},
    resource: 'https://mcp.example/mcp',
    scopesSupported: [],
  }),
  refreshTokens: async (_server: unknown, _client: unknown, refreshToken: string): Promise<OAuthTokens> => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (server.revoked || refreshToken !== server.current) {
      server.revoked = true;
      throw new Error('invalid_grant: refresh token reused, grant revoked');
    }
    server.refreshes++;
    server.current = `refresh-${server.refreshes + 1}`;
    return { access_token: `access-${server.refreshes + 1}`, token_type: 'Bearer', expires_in: 3600, refresh_token: server.current };
  },
}));

/**
 * Two instances of the proxy (two UpstreamConnections on one database) refreshing one connection at the
 * same moment, with the cluster's Redis lock on the local Redis: one refresh, both calls get its token.
 */
describe('UpstreamConnections refresh across instances', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `refresh-spec-${randomUUID()}`;
  const redis: Redis[] = [];
  let data: DataSource;
  const box = new SecretBox({ encryptionKey: randomBytes(32) });
  const service: OAuthService = {
    id: randomUUID(),
    name: 'notes',
    settings: {
      url: new URL('https://mcp.example/mcp'),
      oauth: { connection: 'perUser', clientId: 'proxy', clientSecret: null, scopes: null },
    } as unknown as RemoteSettings,
  };

  const instance = (locks: NamedLocks): UpstreamConnections =>
    new UpstreamConnections(
      data.getRepository(UpstreamConnectionEntity),
      data.getRepository(UpstreamClientEntity),
      {} as ServicesService,
      box,
      new Clock(),
      { get: () => 'https://proxy.example' } as unknown as AppConfig,
      {} as ConnectionOwners,
      locks,
    );
  const redisLocks = (): RedisLocks => {
    const connection = new Redis(url, { maxRetriesPerRequest: 1 });
    redis.push(connection);
    return new RedisLocks(connection, prefix);
  };

  beforeAll(async () => {
    data = new DataSource({
      type: 'sqlite',
      driver: SQLITE_DRIVER,
      database: ':memory:',
      entities: [UpstreamConnectionEntity, UpstreamClientEntity],
      synchronize: true,
    });
    await data.initialize();
  });

  beforeEach(async () => {
    Object.assign(server, { current: 'refresh-1', refreshes: 0, revoked: false });
    // Connected a while ago: the access token is within the refresh margin.
    await instance(NO_LOCKS).save(service.id, 'user:alice', {
      access_token: 'access-1',
      token_type: 'Bearer',
      expires_in: 5,
      refresh_token: 'refresh-1',
    });
  });

  afterAll(async () => {
    await data?.destroy();
    await Promise.all(redis.map((connection) => connection.quit()));
  });

  it('with the Redis lock: one refresh, both instances get its token, the grant stands', async () => {
    const [a, b] = [instance(redisLocks()), instance(redisLocks())];
    const tokens = await Promise.all([a.bearer(service, 'user:alice').token(), b.bearer(service, 'user:alice').token()]);
    expect(tokens).toEqual(['access-2', 'access-2']);
    expect(server).toMatchObject({ refreshes: 1, revoked: false });
  });

  it('without it, the second instance reuses the rotated refresh token and the server ends the grant', async () => {
    const [a, b] = [instance(NO_LOCKS), instance(NO_LOCKS)];
    const outcomes = await Promise.allSettled([a.bearer(service, 'user:alice').token(), b.bearer(service, 'user:alice').token()]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(server.revoked).toBe(true);
  });
});
