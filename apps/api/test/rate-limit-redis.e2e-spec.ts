import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { ServiceRoute } from '../src/proxy/routing/route-table';
import { RateLimiter } from '../src/proxy/limits/rate-limiter';
import { takeBudgets } from '../src/proxy/limits/rate-policy';

/** Two proxy instances on one Redis share each client's budget (the local Redis; CI starts it when down). */
describe('rate limits shared through Redis', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const connections: Redis[] = [];
  const instance = (): RateLimiter => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return new RateLimiter(redis);
  };

  afterAll(async () => {
    await Promise.all(connections.filter((redis) => redis.status !== 'end').map((redis) => redis.quit().catch(() => undefined)));
  });

  it('counts requests from every instance against one budget per client and service', async () => {
    const [a, b] = [instance(), instance()];
    const service = `svc-${randomUUID()}`;
    const now = Date.now();
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? a : b).take(service, 'alice', 5, now));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions[5].retryAfterSec).toBeGreaterThan(0);
    expect((await a.take(service, 'bob', 5, now)).allowed).toBe(true);
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  it('shares the tool, client-token and housekeeping budgets too, and names the one exhausted', async () => {
    const [a, b] = [instance(), instance()];
    const route = {
      id: `svc-${randomUUID()}`,
      name: 'files',
      kind: 'service',
      proxy: { rateLimit: 100, toolLimits: { 'write_*': 2 } },
    } as unknown as ServiceRoute;
    const client = { kind: 'client' as const, id: `client-${randomUUID()}`, role: 'viewer' as const, rateLimit: 3 };
    const call = (name: string): JsonRpcMessage => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } }) as JsonRpcMessage;
    expect(await takeBudgets(a, route, client, call('write_file'))).toBeNull();
    expect(await takeBudgets(b, route, client, call('write_file'))).toBeNull();
    expect(await takeBudgets(a, route, client, call('write_file'))).toEqual(
      expect.objectContaining({ limit: 'tool', pattern: 'write_*', perMinute: 2 }),
    );
    // The refused call still spent the token's third request, so the token is exhausted on the other instance too.
    expect(await takeBudgets(b, route, client, call('read_file'))).toEqual(
      expect.objectContaining({ limit: 'client-token', perMinute: 3 }),
    );
    // Housekeeping is counted apart: a ping goes through.
    expect(await takeBudgets(b, route, client, { jsonrpc: '2.0', id: 2, method: 'ping' } as JsonRpcMessage)).toBeNull();
    a.onModuleDestroy();
    b.onModuleDestroy();
  });
});
