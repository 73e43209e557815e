import { errorResponse, INVALID_PARAMS, JsonRpcId, JsonRpcMessage, JsonRpcResponse } from '@mcp-proxy/mcp/protocol';
import type { Principal } from '../../core/auth/principal';
import { compileFilter } from '../aggregation/name-filter';
import type { ServiceRoute } from '../routing/route-table';

/** Which tool names a client may see and call; `*` and `?` work as in group filters. */
export type ToolPredicate = (name: string) => boolean;

/** The principal's tool allow-list as a predicate, or null when it may use every tool. */
export function toolPredicateOf(principal: Principal): ToolPredicate | null {
  const tools = principal.scope?.tools;
  if (!tools) return null;
  // An empty list means "no tools", not "all": compileFilter reads an empty allow-list as all.
  return tools.length === 0 ? () => false : compileFilter({ allow: tools });
}

/**
 * Whether a principal limited to some services may use this route. Services are named by id or
 * name; a group by `g/<name>` (`g/all` for `/mcp`), so a token for one service does not reach
 * that service's tools through a group.
 */
export function serviceAllowed(principal: Principal, route: ServiceRoute): boolean {
  const services = principal.scope?.services;
  if (!services) return true;
  const names = route.kind === 'group' ? [`g/${route.name}`, route.id] : [route.name, route.id];
  return names.some((name) => services.includes(name));
}

/** A `tools/list` answer with only the tools the predicate lets through. */
export function filterToolList(answer: JsonRpcMessage, allowed: ToolPredicate): JsonRpcMessage {
  const result = (answer as JsonRpcResponse & { result?: { tools?: unknown } }).result;
  if (!result || !Array.isArray(result.tools)) return answer;
  const tools = result.tools.filter((tool: unknown) => {
    const name = (tool as { name?: unknown } | null)?.name;
    return typeof name === 'string' && allowed(name);
  });
  return { ...answer, result: { ...result, tools } } as JsonRpcMessage;
}

/** The error for a `tools/call` outside the allow-list, or null when the call may go on. */
export function refusedToolCall(id: JsonRpcId, params: unknown, allowed: ToolPredicate): JsonRpcMessage | null {
  const name = (params as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string' && allowed(name)) return null;
  return errorResponse(id, INVALID_PARAMS, `Tool ${JSON.stringify(typeof name === 'string' ? name : '')} is not allowed for this client`);
}
