import {
  errorResponse,
  INVALID_PARAMS,
  INVALID_REQUEST,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcRequest,
  JsonRpcResponse,
  MCP_METHODS,
} from '@mcp-proxy/mcp/protocol';
import type { ServerResponse } from 'node:http';
import { mayOnlyListMcp, Principal, PrincipalScope, scopeAllowsService } from '../../core/auth/principal';
import { protectedResourceMetadataUrl } from '../../core/http/public-url';
import { compileFilter } from '../groups/name-filter';
import { SEARCH_TOOLS } from '../groups/tool-search';
import { ALL_SERVICES_GROUP_ID } from '../routing/mcp-path';
import type { ServiceRoute } from '../routing/route-table';

/** What an MCP session keeps of its owner's limits (and a persisted one with it): the scope, and whether it may only list. */
export interface SessionScope extends PrincipalScope {
  /** Opened by a named viewer (`mayOnlyListMcp`): only the methods of `LISTING_METHODS`. */
  listOnly?: boolean;
}

/** The limits a new session takes from the principal that opens it. */
export function sessionScopeOf(principal: Principal): SessionScope {
  return { ...principal.scope, ...(mayOnlyListMcp(principal) ? { listOnly: true } : {}) };
}

/**
 * What a list-only session may ask: the handshake, ping and the lists (notifications and answers to the
 * server are not requests and pass). This is a list of what may pass rather than of what may not: every
 * other request makes a server act or change (a tool, a read, a subscription, a completion, the log level,
 * a method of the server's own), and a method added to MCP later is refused until it is known to only look.
 * The rate limits' WORK_METHODS (proxy/limits/rate-policy.ts) is narrower: it counts cost, not trust.
 */
export const LISTING_METHODS: ReadonlySet<string> = new Set([
  MCP_METHODS.INITIALIZE,
  MCP_METHODS.PING,
  MCP_METHODS.SERVER_DISCOVER,
  MCP_METHODS.TOOLS_LIST,
  MCP_METHODS.RESOURCES_LIST,
  MCP_METHODS.RESOURCES_TEMPLATES_LIST,
  MCP_METHODS.PROMPTS_LIST,
]);

/** Why a list-only session is refused, and what to do instead. */
export const LIST_ONLY_REASON = 'viewers may list but not call: ask an operator or use a client token';

/**
 * The error for a request a list-only session may not make, or null when it may go on. On a group with
 * tool search, `search_tools` is a list (it ranks the merged `tools/list` and runs nothing) while
 * `call_tool` runs the tool it names, so only the first passes.
 */
export function refusedListOnly(request: JsonRpcRequest, toolSearch: boolean): JsonRpcMessage | null {
  if (LISTING_METHODS.has(request.method)) return null;
  const name = (request.params as { name?: unknown } | undefined)?.name;
  if (request.method === MCP_METHODS.TOOLS_CALL && toolSearch && name === SEARCH_TOOLS) return null;
  return errorResponse(request.id, INVALID_REQUEST, `${request.method} refused: ${LIST_ONLY_REASON}`);
}

/** Which tool names a client may see and call; `*` and `?` work as in group filters. */
export type ToolPredicate = (name: string) => boolean;

/** The principal's tool allow-list as a predicate, or null when it may use every tool. */
export function toolPredicateOf(principal: Principal): ToolPredicate | null {
  return toolPredicateOfScope(principal.scope);
}

/** The same for a scope kept apart from its principal (a persisted session's). */
export function toolPredicateOfScope(scope: PrincipalScope | undefined): ToolPredicate | null {
  const tools = scope?.tools;
  if (!tools) return null;
  // An empty list means "no tools", not "all": compileFilter reads an empty allow-list as all.
  return tools.length === 0 ? () => false : compileFilter({ allow: tools });
}

/** Both lists must let a tool through (null: no list); null when neither limits. */
export function bothToolPredicates(first: ToolPredicate | null, second: ToolPredicate | null): ToolPredicate | null {
  if (!first || !second) return first ?? second;
  return (name) => first(name) && second(name);
}

/**
 * Whether a principal limited to some services may use this route. Services are named by id or
 * name; a group by `g/<name>` (`g/all` for `/mcp`), so a token for one service does not reach
 * that service's tools through a group.
 */
export function serviceAllowed(principal: Principal, route: ServiceRoute): boolean {
  // The built-in group's id is the word `all`, which is not a service: it is granted as `g/all` only.
  const names =
    route.kind === 'group' ? [`g/${route.name}`, ...(route.id === ALL_SERVICES_GROUP_ID ? [] : [route.id])] : [route.name, route.id];
  return scopeAllowsService(principal, ...names);
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

/**
 * 403 with an RFC 6750 `insufficient_scope` challenge (the MCP spec's step-up), and the JSON-RPC
 * error as body: the client may ask its owner for a new authorization, whose consent can add the tool.
 */
export function sendInsufficientScope(response: ServerResponse, refusal: JsonRpcMessage, resource: string): void {
  const url = new URL(resource);
  const challenge = `Bearer error="insufficient_scope", scope="mcp", resource_metadata="${protectedResourceMetadataUrl(url.origin, url.pathname)}", error_description="This tool is not in the grant"`;
  const body = JSON.stringify(refusal);
  response.writeHead(403, { 'www-authenticate': challenge, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
