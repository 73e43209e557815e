/**
 * Tool pinning as the data plane sees it: every `tools/list` result a server sends is shown to the guard
 * (TOOL_PIN_GUARD, provided by the tool-pins module), which compares it with the service's pinned tools and
 * records what differs; under the drift policy `block` the tools it has not approved are left out of the lists
 * and their calls refused. The guard answers from memory: nothing here reads the database or waits.
 */
import { errorResponse, INVALID_PARAMS, type JsonRpcId, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { DriftPolicy } from '@mcp-proxy/shared/dto';

/** Where a page of `tools/list` sits: only a first page without a next one is the whole list (removals show there). */
export interface ToolListPage {
  first: boolean;
  last: boolean;
}

/** Tool names not to serve: listed with a definition that is not the pinned one, or not pinned at all. */
export interface HeldTools {
  has(name: string): boolean;
}

export interface ToolPinGuard {
  /** A `tools/list` result's tools as the server sent them (before any cache or filter). Never throws, never waits. */
  observe(serviceId: string, policy: Exclude<DriftPolicy, 'off'>, tools: readonly unknown[], page: ToolListPage): void;
  /** The service's unapproved tools; null while its tools were never pinned (nothing to compare with). */
  unapproved(serviceId: string): HeldTools | null;
}

/** The tool-pins module's guard, as the proxy asks for it. */
export const TOOL_PIN_GUARD = Symbol('TOOL_PIN_GUARD');

/** Emitted (`{ serviceId }`) when a service's pins changed here or on another instance: its sessions should list again. */
export const TOOL_PINS_CHANGED = 'tool-pins.changed';

/** What one upstream asks of tool pinning, bound to its service and the service's current policy. */
export interface UpstreamToolPins {
  /** A `tools/list` result from the server, with the request's params (the cursor says which page). */
  observe(result: unknown, params: unknown): void;
  /** Tools to hold back now: the unapproved ones under `block`, else null. */
  held(): HeldTools | null;
  /** Under `block`: the server's first tools/list is compared before anything is served. */
  blocking(): boolean;
}

/** Binds the guard to a service; the policy is read at each use, so a changed setting applies at once. */
export function toolPinsFor(guard: ToolPinGuard, serviceId: string, policyOf: () => DriftPolicy): UpstreamToolPins {
  return {
    observe: (result, params) => {
      const policy = policyOf();
      const tools = (result as { tools?: unknown } | null)?.tools;
      if (policy === 'off' || !Array.isArray(tools)) return;
      const first = !(params as { cursor?: unknown } | null | undefined)?.cursor;
      const last = !(result as { nextCursor?: unknown }).nextCursor;
      // Under `warn` nothing is held back: the comparison waits until the answer is on its way.
      if (policy === 'warn') setImmediate(() => guard.observe(serviceId, policy, tools, { first, last }));
      else guard.observe(serviceId, policy, tools, { first, last });
    },
    held: () => (policyOf() === 'block' ? guard.unapproved(serviceId) : null),
    blocking: () => policyOf() === 'block',
  };
}

/** A `tools/list` result without the held tools (the same object when none of them is listed). */
export function withoutHeldTools<T>(result: T, held: HeldTools | null): T {
  const tools = (result as { tools?: unknown } | null)?.tools;
  if (!held || !Array.isArray(tools)) return result;
  const kept = tools.filter((tool: unknown) => !held.has(String((tool as { name?: unknown } | null)?.name)));
  return kept.length === tools.length ? result : ({ ...result, tools: kept } as T);
}

/** The error for a `tools/call` of a held tool, or null when the call may go on. */
export function heldToolRefusal(id: JsonRpcId, params: unknown, held: HeldTools | null, serviceName: string): JsonRpcMessage | null {
  const name = (params as { name?: unknown } | null | undefined)?.name;
  if (!held || typeof name !== 'string' || !held.has(name)) return null;
  return errorResponse(
    id,
    INVALID_PARAMS,
    `Tool ${JSON.stringify(name)} of "${serviceName}" is held back: it is new or its definition changed since the service's tools were ` +
      `pinned, and the service's drift policy is "block". An admin must approve the change in the portal (Services → ${serviceName} → Tool pinning).`,
  );
}
