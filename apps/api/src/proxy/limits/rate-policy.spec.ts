import type { JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import type { ServiceRoute } from '../routing/route-table';
import { RateLimiter } from './rate-limiter';
import { budgetsFor, refusalMessage, takeBudgets } from './rate-policy';

const route = {
  id: 'svc-1',
  name: 'files',
  kind: 'service',
  proxy: { rateLimit: 2, toolLimits: { 'write_*': 1, '*': 50 } },
} as unknown as ServiceRoute;
const client: Principal = {
  kind: 'client',
  id: 'client-token:1',
  role: 'viewer',
};
const request = (method: string, params?: Record<string, unknown>): JsonRpcMessage =>
  ({
    jsonrpc: '2.0',
    id: 1,
    method,
    ...(params ? { params } : {}),
  }) as JsonRpcMessage;

describe('budgetsFor', () => {
  it.each([
    ['initialize', request('initialize'), ['housekeeping']],
    ['ping', request('ping'), ['housekeeping']],
    ['tools/list', request('tools/list'), ['housekeeping']],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' } as JsonRpcMessage, ['housekeeping']],
    ['a DELETE (no message)', null, ['housekeeping']],
    ['resources/read', request('resources/read', { uri: 'x' }), ['service']],
    ['prompts/get', request('prompts/get', { name: 'p' }), ['service']],
    ['completion/complete', request('completion/complete'), ['service']],
    ['a tool no limit names but *', request('tools/call', { name: 'read_file' }), ['service', 'tool:*']],
    ['a tool two limits name', request('tools/call', { name: 'write_file' }), ['service', 'tool:write_*', 'tool:*']],
  ])('%s', (_, message, expected) => {
    const names = budgetsFor(route, client, message).map((budget) => (budget.pattern ? `${budget.name}:${budget.pattern}` : budget.name));
    expect(names).toEqual(expected);
  });

  it('gives housekeeping ten times the limit, and counts a token with its own limit first', () => {
    expect(budgetsFor(route, client, request('ping'))[0].perMinute).toBe(20);
    expect(budgetsFor(route, { ...client, rateLimit: 7 }, request('tools/call', { name: 'x' }))[0]).toEqual(
      expect.objectContaining({ name: 'client-token', perMinute: 7 }),
    );
  });
});

describe('takeBudgets', () => {
  it('refuses with the exhausted limit named, and never for housekeeping within its ceiling', async () => {
    const limiter = new RateLimiter();
    try {
      for (let i = 0; i < 20; i++) expect(await takeBudgets(limiter, route, client, request('ping'))).toBeNull();
      expect(await takeBudgets(limiter, route, client, request('tools/call', { name: 'write_file' }))).toBeNull();
      const refusal = await takeBudgets(limiter, route, client, request('tools/call', { name: 'write_file' }));
      expect(refusal).toEqual(
        expect.objectContaining({
          limit: 'tool',
          pattern: 'write_*',
          perMinute: 1,
        }),
      );
      expect(refusal && refusalMessage(refusal)).toMatch(/tool limit "write_\*" \(1 calls per minute\); retry in \d+ s/);
      expect(await takeBudgets(limiter, route, client, request('ping'))).toEqual(
        expect.objectContaining({ limit: 'housekeeping', perMinute: 20 }),
      );
    } finally {
      limiter.onModuleDestroy();
    }
  });
});
