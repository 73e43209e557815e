import type { ClientSession } from '../sessions/client-session';
import type { JsonRpcRequest, JsonRpcResponse } from '@mcp-proxy/mcp/protocol';
import type { HeldTools } from '../upstream/tool-pin-guard';
import type { ServerIdentity, Upstream } from '../upstream/upstream';

/**
 * What a group is made of and what it needs from its members: the definition the route table builds, and
 * the members' shared upstreams with their status. GroupUpstream (group-upstream.ts) routes over these.
 */

/** What a group needs from a member's shared upstream. */
export interface MemberUpstream extends Upstream {
  readonly identity: ServerIdentity | null;
  /** Settles once the member's child has answered `initialize` (a member may have just started). */
  readonly ready: Promise<unknown>;
  fetch(method: string, params: JsonRpcRequest['params'], timeoutMs: number): Promise<JsonRpcResponse>;
  /** Tools the member holds back (tool pinning): left out of the group's lists, their calls refused by the member. */
  heldTools(): HeldTools | null;
}

export interface GroupMember {
  serviceId: string;
  /** The name used in exposed names and URIs: the service's name. */
  serviceName: string;
  /** Member-level filter, on the member's own names. */
  allows: (name: string) => boolean;
  /** Optional renames and description overrides, by the member's own name. */
  renames: Record<string, { name?: string; description?: string }>;
}

export interface GroupDefinition {
  id: string;
  name: string;
  separator: string;
  members: GroupMember[];
  /** Group-level filter, on exposed names (`everything__echo`). */
  allows: (exposed: string) => boolean;
  /** Bound on each member's part of a fan-out, so a slow member cannot hold the whole list. */
  memberTimeoutMs: number;
  /** `tools/list` shows only `search_tools` and `call_tool` (for groups of hundreds of tools). */
  toolSearch?: boolean;
}

/** Where a member stands when a list is built without it (shown in the group view). */
export interface MemberHealth {
  serviceId: string;
  serviceName: string;
  state: 'ok' | 'unavailable' | 'failed' | 'timeout';
  reason: string | null;
}

export interface MemberSource {
  /** The member's shared upstream (perhaps still initializing), or null when its child is not running. */
  upstreamOf(serviceId: string): MemberUpstream | null;
  statusOf(serviceId: string): string;
  /** Upstream OAuth: the member's upstream of the session's own connection, null without one (then `upstreamOf`'s answers). */
  connectionOf?(serviceId: string, session: ClientSession): Promise<MemberUpstream | null>;
}
