import {
  errorResponse,
  INTERNAL_ERROR,
  INVALID_PARAMS,
  isErrorResponse,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  MCP_METHODS,
  METHOD_NOT_FOUND,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import { refusedListOnly, refusedToolCall } from '../scope/tool-scope';
import type { ClientSession, InFlight } from '../sessions/client-session';
import type { ServerIdentity, Upstream } from '../upstream/upstream';
import { exposedName } from './exposed-names';
import { groupUri, groupUriTemplate, memberUri } from './resource-uris';
import type { GroupDefinition, GroupMember, MemberHealth, MemberSource, MemberUpstream } from './group-members';
import { CALL_TOOL, callArguments, SEARCH_TOOLS, searchArguments, searchResult, TOOL_SEARCH_TOOLS, ToolSearch } from './tool-search';

type Kind = 'tools' | 'prompts' | 'resourceTemplates';

/** One client request on its way through the group, as each routing step needs it. */
interface GroupCall {
  session: ClientSession;
  entry: InFlight;
  request: JsonRpcRequest;
  params: Record<string, unknown>;
  timeoutMs: number;
}

interface Mapping {
  member: GroupMember;
  original: string;
}

/** The list methods a group merges, and how to map each entry. */
const LISTS: Record<string, { key: string; kind?: Kind; uris?: boolean }> = {
  [MCP_METHODS.TOOLS_LIST]: { key: 'tools', kind: 'tools' },
  [MCP_METHODS.PROMPTS_LIST]: { key: 'prompts', kind: 'prompts' },
  [MCP_METHODS.RESOURCES_LIST]: { key: 'resources', uris: true },
  [MCP_METHODS.RESOURCES_TEMPLATES_LIST]: { key: 'resourceTemplates', kind: 'resourceTemplates', uris: true },
};

const MAX_PAGES = 20;

/**
 * Many services behind one endpoint. Lists are the members' lists merged (each member bounded in
 * time, a failing one left out); names become `<service><sep><name>` and resource URIs name their
 * member, so nothing can collide and every call finds its owner. A call goes through the owning
 * member's shared upstream under the client's session, so progress, cancellation and server→client
 * requests work as with a single service.
 */
export class GroupUpstream implements Upstream {
  private readonly names: Record<Kind, Map<string, Mapping>> = { tools: new Map(), prompts: new Map(), resourceTemplates: new Map() };
  readonly health = new Map<string, MemberHealth>();
  private readonly toolSearch = new ToolSearch(() => this.merge(MCP_METHODS.TOOLS_LIST));

  constructor(
    private readonly group: GroupDefinition,
    private readonly members: MemberSource,
    private readonly version: string,
  ) {}

  /** Merged capabilities of the members that are up, so clients see what the group can do. */
  get identity(): ServerIdentity {
    const capabilities: Record<string, unknown> = {};
    for (const member of this.group.members) {
      const own = this.members.upstreamOf(member.serviceId)?.identity?.capabilities ?? {};
      for (const key of ['tools', 'prompts', 'resources', 'logging', 'completions']) if (own[key]) capabilities[key] = {};
    }
    for (const key of ['tools', 'prompts', 'resources']) if (capabilities[key]) capabilities[key] = { listChanged: true };
    const subscribable = this.group.members.some(
      (member) =>
        (this.members.upstreamOf(member.serviceId)?.identity?.capabilities['resources'] as { subscribe?: boolean } | undefined)?.subscribe,
    );
    if (capabilities['resources'] && subscribable) capabilities['resources'] = { listChanged: true, subscribe: true };
    return { protocolVersion: '', capabilities, serverInfo: { name: `mcp-reverse-proxy/${this.group.name}`, version: this.version } };
  }

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    const call: GroupCall = { session, entry, request, params: (request.params ?? {}) as Record<string, unknown>, timeoutMs };
    const list = LISTS[request.method];
    const reply = (message: JsonRpcMessage): void => session.finish(entry, message);
    // The dispatcher refused (and audited) these already; this holds for every way a group reaches a member.
    const listOnly = session.listOnly ? refusedListOnly(request, this.group.toolSearch === true) : null;
    if (listOnly) return reply(listOnly);
    if (this.group.toolSearch && this.forwardToolSearch(call)) return;
    if (list)
      return this.settle(
        call,
        this.merge(request.method, session).then((items) => reply(result(request, { [list.key]: items }))),
      );
    switch (request.method) {
      case MCP_METHODS.TOOLS_CALL:
        return this.settle(call, this.routeByName('tools', MCP_METHODS.TOOLS_LIST, call));
      case MCP_METHODS.PROMPTS_GET:
        return this.settle(call, this.routeByName('prompts', MCP_METHODS.PROMPTS_LIST, call));
      case MCP_METHODS.RESOURCES_READ:
      case MCP_METHODS.RESOURCES_SUBSCRIBE:
      case MCP_METHODS.RESOURCES_UNSUBSCRIBE:
        return this.routeByUri(call);
      case MCP_METHODS.COMPLETION_COMPLETE:
        return this.settle(call, this.routeCompletion(call));
      case MCP_METHODS.LOGGING_SET_LEVEL:
        return this.settle(
          call,
          this.broadcast(request, timeoutMs).then(() => reply(result(request, {}))),
        );
      default:
        reply(errorResponse(request.id, METHOD_NOT_FOUND, `${request.method} is not available through a group`));
    }
  }

  /** Work that answers later: should it fail unexpectedly, the caller gets an error rather than silence. */
  private settle({ session, entry, request }: GroupCall, work: Promise<void>): void {
    work.catch((error: unknown) => {
      if (session.find(request.id) !== entry) return;
      session.finish(entry, errorResponse(request.id, INTERNAL_ERROR, `The group could not answer: ${String(error)}`));
    });
  }

  /** Only a cancellation means something to a group: it is handled here, nothing is written on. */
  notify(session: ClientSession, notification: JsonRpcNotification): boolean {
    if (notification.method !== MCP_METHODS.CANCELLED) return false;
    const requestId = (notification.params as { requestId?: string | number } | undefined)?.requestId;
    const entry = requestId === undefined ? undefined : session.find(requestId);
    if (!entry) return false;
    session.drop(entry);
    entry.cancel?.();
    return false;
  }

  answer(session: ClientSession, response: JsonRpcResponse): boolean {
    return this.group.members.some((member) => this.members.upstreamOf(member.serviceId)?.answer(session, response) ?? false);
  }

  release(session: ClientSession): void {
    for (const member of this.group.members) this.members.upstreamOf(member.serviceId)?.release(session);
  }

  /**
   * With tool search on: `tools/list` answers the two meta-tools, `search_tools` ranks the merged list and
   * `call_tool` becomes a plain `tools/call` of the named tool (same routing, filters and limits). Calls by
   * a tool's own exposed name still work. False when the request is not one of these.
   */
  private forwardToolSearch(call: GroupCall): boolean {
    const { session, entry, request, params } = call;
    const reply = (message: JsonRpcMessage): void => session.finish(entry, message);
    if (request.method === MCP_METHODS.TOOLS_LIST) {
      // Shown to every caller: what they find and run through them is limited to the caller's own list.
      entry.listedForCaller = true;
      reply({ jsonrpc: '2.0', id: request.id, result: { tools: TOOL_SEARCH_TOOLS } });
      return true;
    }
    if (request.method !== MCP_METHODS.TOOLS_CALL) return false;
    if (params['name'] === SEARCH_TOOLS) {
      const parsed = searchArguments(params['arguments']);
      if (!parsed.ok) reply(errorResponse(request.id, INVALID_PARAMS, parsed.message));
      else
        this.settle(
          call,
          this.toolSearch
            .search(parsed.query, parsed.limit, session.toolAllowList ?? undefined)
            .then((tools) => reply(result(request, searchResult(tools)))),
        );
      return true;
    }
    if (params['name'] === CALL_TOOL) {
      const parsed = callArguments(params['arguments']);
      if (!parsed.ok) {
        reply(errorResponse(request.id, INVALID_PARAMS, parsed.message));
        return true;
      }
      const inner = { ...params, name: parsed.name, arguments: parsed.arguments };
      this.settle(
        call,
        this.routeByName('tools', MCP_METHODS.TOOLS_LIST, { ...call, request: { ...request, params: inner }, params: inner }),
      );
      return true;
    }
    return false;
  }

  /** The exposed name → member and original name, as last listed (for the API). */
  mapping(kind: Kind): { exposed: string; service: string; original: string }[] {
    return [...this.names[kind].entries()].map(([exposed, { member, original }]) => ({ exposed, service: member.serviceName, original }));
  }

  /** Every member's list, mapped and filtered; a member that fails or is slow is left out and noted. */
  async merge(method: string, session?: ClientSession): Promise<unknown[]> {
    const list = LISTS[method];
    const parts = await Promise.all(this.group.members.map((member) => this.memberList(member, method, session)));
    if (list.kind) this.names[list.kind].clear();
    const merged: unknown[] = [];
    parts.forEach((items, index) => {
      const member = this.group.members[index];
      // Mapped all the same, so a call of a held tool reaches its member and gets the member's reason.
      const held = list.kind === 'tools' ? (this.members.upstreamOf(member.serviceId)?.heldTools() ?? null) : null;
      for (const item of items) {
        const mapped = this.mapItem(member, item as Record<string, unknown>, list);
        if (mapped && !held?.has(String((item as { name?: unknown }).name))) merged.push(mapped);
      }
    });
    return merged;
  }

  private mapItem(member: GroupMember, item: Record<string, unknown>, list: (typeof LISTS)[string]): Record<string, unknown> | null {
    const copy: Record<string, unknown> = { ...item };
    if (list.uris) {
      if (typeof item['uri'] === 'string') copy['uri'] = groupUri(member.serviceName, item['uri']);
      if (typeof item['uriTemplate'] === 'string') copy['uriTemplate'] = groupUriTemplate(member.serviceName, item['uriTemplate']);
    }
    if (!list.kind) return copy;
    const original = String(item['name']);
    if (!member.allows(original)) return null;
    // Own keys only: a tool named "constructor" must not pick up Object.prototype's.
    const rename = Object.prototype.hasOwnProperty.call(member.renames, original) ? member.renames[original] : undefined;
    const exposed = exposedName(member.serviceName, rename?.name ?? original, this.group.separator);
    if (!this.group.allows(exposed)) return null;
    this.names[list.kind].set(exposed, { member, original });
    copy['name'] = exposed;
    if (rename?.description !== undefined) copy['description'] = rename.description;
    return copy;
  }

  /** The member's upstream for this session: its own connection's for an oauth member, else the shared one. */
  private async memberUpstream(member: GroupMember, session?: ClientSession): Promise<MemberUpstream | null> {
    const own = session && this.members.connectionOf ? await this.members.connectionOf(member.serviceId, session).catch(() => null) : null;
    return own ?? this.members.upstreamOf(member.serviceId);
  }

  private async memberList(member: GroupMember, method: string, session?: ClientSession): Promise<unknown[]> {
    const upstream = await this.memberUpstream(member, session);
    if (!upstream) return this.note(member, 'unavailable', `is ${this.members.statusOf(member.serviceId)}`);
    const ready = await withTimeout(
      upstream.ready.then(
        () => true,
        () => false,
      ),
      this.group.memberTimeoutMs,
    );
    if (ready !== true)
      return this.note(member, ready === null ? 'timeout' : 'failed', ready === null ? 'is still initializing' : 'failed to initialize');
    const key = LISTS[method].key;
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await withTimeout(
        upstream.fetch(method, cursor ? { cursor } : {}, this.group.memberTimeoutMs),
        this.group.memberTimeoutMs,
      );
      if (response === null) return this.note(member, 'timeout', `did not answer ${method} within ${this.group.memberTimeoutMs} ms`);
      if (isErrorResponse(response)) {
        // A member without this capability answers "method not found": that is an empty list, not a failure.
        if (response.error.code === METHOD_NOT_FOUND) break;
        return this.note(member, 'failed', response.error.message);
      }
      const result = response.result as Record<string, unknown>;
      items.push(...((result[key] as unknown[] | undefined) ?? []));
      cursor = typeof result['nextCursor'] === 'string' ? result['nextCursor'] : undefined;
      if (!cursor) break;
    }
    this.health.set(member.serviceId, { serviceId: member.serviceId, serviceName: member.serviceName, state: 'ok', reason: null });
    return items;
  }

  private note(member: GroupMember, state: MemberHealth['state'], reason: string): unknown[] {
    this.health.set(member.serviceId, {
      serviceId: member.serviceId,
      serviceName: member.serviceName,
      state,
      reason: `${member.serviceName} ${reason}`,
    });
    return [];
  }

  private async routeByName(kind: Kind, listMethod: string, call: GroupCall): Promise<void> {
    const { session, entry, request, params, timeoutMs } = call;
    const exposed = params['name'];
    if (typeof exposed !== 'string') return session.finish(entry, errorResponse(request.id, INVALID_PARAMS, 'params.name is required'));
    // The dispatcher checked the caller's list already; this holds for every way a group reaches a tool (call_tool too).
    const refusal =
      kind === 'tools' && session.toolAllowList ? refusedToolCall(request.id, { name: exposed }, session.toolAllowList) : null;
    if (refusal) return session.finish(entry, refusal);
    // A client may call without listing first (or after a change): learn the names on demand.
    if (!this.names[kind].has(exposed)) await this.merge(listMethod, session);
    const target = this.names[kind].get(exposed);
    if (!target)
      return session.finish(
        entry,
        errorResponse(request.id, INVALID_PARAMS, `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${exposed}`),
      );
    entry.member = { serviceId: target.member.serviceId, serviceName: target.member.serviceName, target: target.original };
    await this.forwardTo(target.member, session, entry, { ...request, params: { ...params, name: target.original } }, timeoutMs);
  }

  private routeByUri(call: GroupCall): void {
    const { session, entry, request, params, timeoutMs } = call;
    const parsed = typeof params['uri'] === 'string' ? memberUri(params['uri']) : null;
    const member = parsed ? this.group.members.find((m) => m.serviceName === parsed.service) : undefined;
    if (!parsed || !member)
      return session.finish(entry, errorResponse(request.id, INVALID_PARAMS, `Unknown resource: ${String(params['uri'])}`));
    entry.transformAnswer = (answer) => rewriteContents(answer, member.serviceName);
    entry.member = { serviceId: member.serviceId, serviceName: member.serviceName, target: parsed.uri };
    this.settle(call, this.forwardTo(member, session, entry, { ...request, params: { ...params, uri: parsed.uri } }, timeoutMs));
  }

  private async routeCompletion({ session, entry, request, params, timeoutMs }: GroupCall): Promise<void> {
    const ref = (params['ref'] ?? {}) as { type?: string; name?: string; uri?: string };
    if (ref.type === 'ref/prompt' && ref.name) {
      if (!this.names.prompts.has(ref.name)) await this.merge(MCP_METHODS.PROMPTS_LIST);
      const target = this.names.prompts.get(ref.name);
      if (target)
        return this.forwardTo(
          target.member,
          session,
          entry,
          { ...request, params: { ...params, ref: { ...ref, name: target.original } } },
          timeoutMs,
        );
    }
    if (ref.type === 'ref/resource' && ref.uri) {
      const parsed = memberUri(ref.uri);
      const member = parsed ? this.group.members.find((m) => m.serviceName === parsed.service) : undefined;
      if (parsed && member)
        return this.forwardTo(member, session, entry, { ...request, params: { ...params, ref: { ...ref, uri: parsed.uri } } }, timeoutMs);
    }
    session.finish(entry, errorResponse(request.id, INVALID_PARAMS, 'Unknown completion reference'));
  }

  /** A call of one member fails alone, with its reason, when the member is down. Settles once the call is handed on. */
  private async forwardTo(
    member: GroupMember,
    session: ClientSession,
    entry: InFlight,
    request: JsonRpcRequest,
    timeoutMs: number,
  ): Promise<void> {
    const upstream = await this.memberUpstream(member, session);
    const down = (): void =>
      session.finish(
        entry,
        errorResponse(
          request.id,
          SERVER_UNAVAILABLE,
          `MCP server "${member.serviceName}" of group "${this.group.name}" is ${this.members.statusOf(member.serviceId)}`,
        ),
      );
    if (!upstream) return down();
    if (upstream.identity) return upstream.forward(session, entry, request, timeoutMs);
    const ready = await withTimeout(
      upstream.ready.then(
        () => true,
        () => false,
      ),
      timeoutMs,
    );
    return ready ? upstream.forward(session, entry, request, timeoutMs) : down();
  }

  private async broadcast(request: JsonRpcRequest, timeoutMs: number): Promise<void> {
    await Promise.all(
      this.group.members.map((member) => {
        const upstream = this.members.upstreamOf(member.serviceId);
        return upstream ? withTimeout(upstream.fetch(request.method, request.params, timeoutMs), this.group.memberTimeoutMs) : null;
      }),
    );
  }
}

/** `resources/read` answers name the member's URIs: give the client the group's. */
function result(request: JsonRpcRequest, value: Record<string, unknown>): JsonRpcResponse {
  return { jsonrpc: '2.0', id: request.id, result: value };
}

function rewriteContents(answer: JsonRpcMessage, service: string): JsonRpcMessage {
  const result = (answer as { result?: { contents?: { uri?: string }[] } }).result;
  if (!result?.contents) return answer;
  return {
    ...answer,
    result: {
      ...result,
      contents: result.contents.map((content) =>
        typeof content.uri === 'string' ? { ...content, uri: groupUri(service, content.uri) } : content,
      ),
    },
  } as JsonRpcMessage;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
