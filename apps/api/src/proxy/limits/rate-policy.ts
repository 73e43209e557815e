/**
 * Which per-minute budgets an MCP message counts against, and the refusal that names the one it
 * exceeded. Limits are meant to bound work, so a client that reconnects, lists and pings is never
 * refused for it: only working methods count against the service's `rateLimit`, its
 * `toolLimits` and the client token's own limit; everything else (housekeeping) has a separate
 * ceiling of ten times the service's limit, enough for any honest client, still a bound for a flood.
 */
import { isRequest, JsonRpcMessage, MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import { compileFilter } from '../groups/name-filter';
import type { ServiceRoute } from '../routing/route-table';
import type { RateLimiter } from './rate-limiter';

/** The methods that make a server do work; each costs one from the work budgets. */
export const WORK_METHODS: ReadonlySet<string> = new Set([
  MCP_METHODS.TOOLS_CALL,
  MCP_METHODS.RESOURCES_READ,
  MCP_METHODS.PROMPTS_GET,
  MCP_METHODS.COMPLETION_COMPLETE,
]);

/** Housekeeping (initialize, notifications, ping, lists, DELETE) may run this many times the service's limit. */
export const HOUSEKEEPING_FACTOR = 10;

export type RateLimitName = 'service' | 'housekeeping' | 'tool' | 'client-token';

interface Budget {
  name: RateLimitName;
  /** Counter key, per client; the service id keeps the existing counters of work. */
  scope: string;
  perMinute: number;
  pattern?: string;
}

/** What a refused client is told: which limit, how many per minute, and when to try again. */
export interface RateRefusal {
  limit: RateLimitName;
  perMinute: number;
  retryAfter: number;
  /** The tool limit's name or glob. */
  pattern?: string;
}

/** The budgets of one message (null: a request without a message, such as DELETE). */
export function budgetsFor(route: ServiceRoute, principal: Principal, message: JsonRpcMessage | null): Budget[] {
  const limit = route.proxy.rateLimit;
  const method = message && isRequest(message) ? message.method : null;
  if (method === null || !WORK_METHODS.has(method)) {
    return [
      {
        name: 'housekeeping',
        scope: `housekeeping:${route.id}`,
        perMinute: limit * HOUSEKEEPING_FACTOR,
      },
    ];
  }
  const budgets: Budget[] = [];
  if (principal.rateLimit)
    budgets.push({
      name: 'client-token',
      scope: 'client-token',
      perMinute: principal.rateLimit,
    });
  budgets.push({ name: 'service', scope: route.id, perMinute: limit });
  if (method === MCP_METHODS.TOOLS_CALL && message && isRequest(message)) {
    const tool = (message.params as { name?: unknown } | undefined)?.name;
    if (typeof tool === 'string') {
      for (const [pattern, perMinute] of Object.entries(route.proxy.toolLimits ?? {})) {
        if (compileFilter({ allow: [pattern] })(tool))
          budgets.push({
            name: 'tool',
            scope: `tool:${route.id}:${pattern}`,
            perMinute,
            pattern,
          });
      }
    }
  }
  return budgets;
}

/** Takes one from each budget in turn; the first one exhausted refuses the message (the rest are not charged). */
export async function takeBudgets(
  limiter: RateLimiter,
  route: ServiceRoute,
  principal: Principal,
  message: JsonRpcMessage | null,
): Promise<RateRefusal | null> {
  for (const budget of budgetsFor(route, principal, message)) {
    const decision = await limiter.take(budget.scope, principal.id, budget.perMinute);
    if (!decision.allowed) {
      return {
        limit: budget.name,
        perMinute: budget.perMinute,
        retryAfter: decision.retryAfterSec,
        ...(budget.pattern !== undefined ? { pattern: budget.pattern } : {}),
      };
    }
  }
  return null;
}

/** One line a user can act on: which limit, its size, and the wait. */
export function refusalMessage(refusal: RateRefusal): string {
  const what =
    refusal.limit === 'tool'
      ? `the tool limit "${refusal.pattern ?? ''}" (${refusal.perMinute} calls per minute)`
      : refusal.limit === 'client-token'
        ? `this client token's limit (${refusal.perMinute} requests per minute)`
        : refusal.limit === 'housekeeping'
          ? `the housekeeping limit of this service (${refusal.perMinute} messages per minute)`
          : `the service's rate limit (${refusal.perMinute} requests per minute)`;
  return `Rate limit exceeded: ${what}; retry in ${refusal.retryAfter} s`;
}
