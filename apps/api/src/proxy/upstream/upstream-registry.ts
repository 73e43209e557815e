import { MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { ServiceStatus } from '@mcp-proxy/shared/dto';
import { ChildExit, ChildHandle, SERVICE_EVENTS } from '../../supervisor/child-handle';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { SessionUnavailableError } from '../../supervisor/supervisor-errors';
import { APP_VERSION } from '../../version';
import { GROUP_CHANGED } from '../../groups/groups.service';
import { GroupUpstream } from '../groups/group-upstream';
import { compileFilter } from '../groups/name-filter';
import type { ClientSession } from '../sessions/client-session';
import { SessionStore } from '../sessions/session-store';
import { ProxyMetrics } from '../metrics/proxy-metrics';
import { RouteTable, ServiceRoute } from '../routing/route-table';
import { DedicatedUpstream } from './dedicated-upstream';
import { SessionPools } from './session-pools';
import { PrincipalUpstreams } from './principal-upstreams';
import type { UrlElicitation } from '../../upstream-auth/upstream-elicitations';
import { SharedUpstream } from './shared-upstream';
import { TOOL_PIN_GUARD, TOOL_PINS_CHANGED, ToolPinGuard, toolPinsFor, UpstreamToolPins } from './tool-pin-guard';
import { PROXY_CLIENT_INFO, type ServerIdentity, type Upstream } from './upstream';
import { inBackground } from '../../core/logging/background';

/** Why a service cannot take a request right now, in words for the client. */
export class ServiceUnavailable extends Error {
  constructor(
    message: string,
    readonly status: ServiceStatus | 'initializing',
  ) {
    super(message);
  }
}

interface SharedEntry {
  generation: number;
  upstream: SharedUpstream;
}

/** An upstream that can answer `initialize` for a session: a shared child's, or a group's. */
export type SharedLike = Upstream & { readonly identity: ServerIdentity | null };

const LIST_CHANGED = ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed'];

const INITIALIZE_TIMEOUT_MS = 30_000;

/**
 * The upstream of every service (one shared child each) and of every session-isolated session.
 * Follows the supervisor's events: a (re)started child gets a freshly initialized upstream.
 */
@Injectable()
export class UpstreamRegistry {
  private readonly shared = new Map<string, SharedEntry>();
  private readonly dedicated = new Map<string, DedicatedUpstream>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Per group route (rebuilt routes are new objects, so a changed group gets a new upstream). */
  private readonly groups = new Map<string, { route: ServiceRoute; upstream: GroupUpstream }>();

  constructor(
    private readonly supervisor: ProcessSupervisor,
    private readonly sessions: SessionStore,
    private readonly routes: RouteTable,
    private readonly metrics: ProxyMetrics,
    private readonly pools: SessionPools,
    @Optional() @Inject(TOOL_PIN_GUARD) private readonly toolPinGuard: ToolPinGuard | null = null,
    @Optional() @Inject(PrincipalUpstreams) private readonly principals: PrincipalUpstreams | null = null,
  ) {
    sessions.onClose((session) => this.release(session));
    // A drift policy switched (say warn → block) changes the tools its sessions may see: they list again.
    routes.onDriftPolicyChanged((serviceId) => this.onToolPinsChanged({ serviceId }));
  }

  @OnEvent(SERVICE_EVENTS.started)
  onStarted(handle: ChildHandle): void {
    if (!handle.peer) return;
    const upstream = new SharedUpstream({
      peer: handle.peer,
      serviceId: handle.serviceId,
      serviceName: handle.serviceName,
      sessions: () => this.sessionsConcerning(handle.serviceId),
      cacheSettings: () => {
        const proxy = this.routes.byId(handle.serviceId)?.proxy;
        return { lists: proxy?.cache ?? true, toolResultTtlMs: (proxy?.toolResultTtlSec ?? 0) * 1000 };
      },
      clientInfo: PROXY_CLIENT_INFO,
      initializeTimeoutMs: INITIALIZE_TIMEOUT_MS,
      onCacheLookup: (hit) => this.metrics.recordCacheLookup(handle.serviceId, handle.serviceName, hit),
      toolPins: this.toolPinsOf(handle.serviceId),
    });
    this.shared.set(handle.serviceId, { generation: handle.generation, upstream });
    const waiting = this.waiters.get(handle.serviceId);
    this.waiters.delete(handle.serviceId);
    waiting?.forEach((wake) => wake());
    // A member back (or new) in a group: its sessions should list again.
    inBackground(
      upstream.ready.then(
        () => this.routes.groupsContaining(handle.serviceId).forEach((groupId) => this.announceListChanged(groupId)),
        () => undefined,
      ),
      'UpstreamRegistry',
      `Telling the groups of ${handle.serviceName} to list again`,
    );
  }

  /** A group's members or filters changed: its sessions are told to list again. */
  @OnEvent(GROUP_CHANGED, { async: true })
  async onGroupChanged({ groupId }: { groupId: string }): Promise<void> {
    await this.routes.rebuild();
    this.announceListChanged(groupId);
  }

  /** Tools approved (or pins changed on another instance): the service's sessions, and its groups', list again. */
  @OnEvent(TOOL_PINS_CHANGED)
  onToolPinsChanged({ serviceId }: { serviceId: string }): void {
    for (const session of this.sessionsConcerning(serviceId))
      session.sendUnrelated({ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED });
  }

  @OnEvent(SERVICE_EVENTS.exited)
  onExited(exit: ChildExit): void {
    const entry = this.shared.get(exit.serviceId);
    if (entry && entry.generation === exit.generation) this.shared.delete(exit.serviceId);
    // An oauth remote stopped: its connections' sessions with the remote end with it.
    if (entry && entry.generation === exit.generation)
      inBackground(this.principals?.endService(exit.serviceId) ?? Promise.resolve(), 'UpstreamRegistry', 'Ending upstream OAuth sessions');
  }

  of(session: ClientSession): Upstream | undefined {
    const route = this.routes.byId(session.serviceId);
    if (route?.kind === 'group') return this.groupFor(route);
    return this.principals?.of(session) ?? this.dedicated.get(session.id) ?? this.shared.get(session.serviceId)?.upstream;
  }

  /**
   * `auth: "oauth"` remotes: the upstream of the session's connection (shared, or its principal's), opened
   * if needed; null while there is no connection (the service's placeholder answers then).
   */
  async connectionFor(route: ServiceRoute, session: ClientSession): Promise<Upstream | null> {
    if (!route.upstreamOAuth || !this.principals) return null;
    try {
      return await this.principals.forSession(route.id, session);
    } catch (error) {
      throw new ServiceUnavailable(`MCP server "${route.name}": ${(error as Error).message}`, 'failed');
    }
  }

  /** A URL elicitation to send a session with no connection (null: it gets the placeholder's answer). */
  async elicitationFor(route: ServiceRoute, session: ClientSession): Promise<UrlElicitation | null> {
    if (!route.upstreamOAuth || !this.principals || route.kind === 'group') return null;
    return this.principals.elicitationFor(route.id, session).catch(() => null);
  }

  /** What the session's connection's server said about itself, if the session has one open. */
  connectionIdentity(session: ClientSession): ServerIdentity | null {
    return this.principals?.identityOf(session) ?? null;
  }

  /**
   * The service's shared upstream once its child has answered `initialize`. While the service is
   * starting or restarting this waits (up to `waitMs`); otherwise it fails at once, naming the status.
   */
  async sharedFor(route: ServiceRoute, waitMs: number): Promise<SharedLike> {
    // A group is always available: members that are not are left out of it (fail-open).
    if (route.kind === 'group') return this.groupFor(route);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const entry = this.shared.get(route.id);
      if (entry) return this.whenReady(route, entry.upstream, deadline);
      const status = this.supervisor.statusOf(route.id);
      if (status !== 'starting' && status !== 'restarting') {
        throw new ServiceUnavailable(`MCP server "${route.name}" is ${status}`, status);
      }
      if (!(await this.nextStart(route.id, deadline - Date.now()))) {
        throw new ServiceUnavailable(`MCP server "${route.name}" is still ${status}; try again shortly`, status);
      }
    }
  }

  /**
   * A child for one session, the session's own: spawned now (`isolation: session`), or taken from the service's
   * pool (`pool`; started and initialized now when none is ready).
   */
  async dedicatedFor(route: ServiceRoute, session: ClientSession): Promise<DedicatedUpstream> {
    let handle: ChildHandle;
    let identity: ServerIdentity | null = null;
    try {
      if (route.process.isolation === 'pool') {
        const warm = (await this.pools.take(route.id)) ?? (await this.pools.startOne(route.id));
        ({ handle, identity } = warm);
      } else {
        handle = await this.supervisor.spawnSessionChild(route.id);
      }
    } catch (error) {
      if (error instanceof SessionUnavailableError) throw new ServiceUnavailable(error.message, 'failed');
      throw error;
    }
    if (!handle.peer) throw new ServiceUnavailable(`MCP server "${route.name}" is not a stdio server`, 'failed');
    const pins = this.toolPinsOf(route.id);
    const upstream = new DedicatedUpstream(
      session,
      handle.peer,
      () => void this.supervisor.stopSessionChild(handle),
      pins ? { pins, serviceName: route.name } : null,
      identity,
    );
    inBackground(
      handle.exited.then((exit) => {
        upstream.childExited(exit.reason);
        if (!exit.expected) this.sessions.close(session);
      }),
      'UpstreamRegistry',
      `Ending session ${session.id} after its child exited`,
    );
    this.dedicated.set(session.id, upstream);
    return upstream;
  }

  /** What a pool's child said when the proxy initialized it, for the session that took it. */
  pooledIdentity(session: ClientSession): ServerIdentity | null {
    return this.dedicated.get(session.id)?.identity ?? null;
  }

  /** Requests of a service waiting for its server: the shared child's and those of session children. */
  inflightOf(serviceId: string): number {
    let count = this.shared.get(serviceId)?.upstream.inflight ?? 0;
    for (const session of this.sessions.ofService(serviceId)) if (this.dedicated.has(session.id)) count += session.inflightCount;
    return count;
  }

  /** What the shared child (or the group) said about itself, once initialized. */
  sharedIdentity(routeId: string): ServerIdentity | null {
    const route = this.routes.byId(routeId);
    if (route?.kind === 'group') return this.groupFor(route).identity;
    return this.shared.get(routeId)?.upstream.identity ?? null;
  }

  /** The group's upstream, made from the current route; members are the services' shared upstreams. */
  groupFor(route: ServiceRoute): GroupUpstream {
    const cached = this.groups.get(route.id);
    if (cached && cached.route === route) return cached.upstream;
    const group = route.group as NonNullable<ServiceRoute['group']>;
    const upstream = new GroupUpstream(
      {
        id: route.id,
        name: route.name,
        separator: group.separator,
        memberTimeoutMs: group.memberTimeoutMs,
        toolSearch: group.toolSearch,
        allows: compileFilter({ allow: group.allow, deny: group.deny }),
        members: group.members.map((member) => ({
          serviceId: member.serviceId,
          serviceName: member.serviceName,
          allows: compileFilter({ allow: member.allow, deny: member.deny }),
          renames: member.renames,
        })),
      },
      {
        upstreamOf: (serviceId) => this.shared.get(serviceId)?.upstream ?? null,
        statusOf: (serviceId) => this.supervisor.statusOf(serviceId),
        // An oauth member answers each member of the group with that member's own connection.
        connectionOf: async (serviceId, session) =>
          this.routes.byId(serviceId)?.upstreamOAuth ? ((await this.principals?.forSession(serviceId, session)) ?? null) : null,
      },
      APP_VERSION,
    );
    this.groups.set(route.id, { route, upstream });
    return upstream;
  }

  /** Tool pinning bound to a service, under the policy its route has at each use. */
  private toolPinsOf(serviceId: string): UpstreamToolPins | undefined {
    const guard = this.toolPinGuard;
    return guard ? toolPinsFor(guard, serviceId, () => this.routes.byId(serviceId)?.proxy.driftPolicy ?? 'warn') : undefined;
  }

  get size(): number {
    return this.shared.size + this.dedicated.size;
  }

  /** The sessions a service's notifications concern: its own and those of every group it belongs to. */
  private *sessionsConcerning(serviceId: string): IterableIterator<ClientSession> {
    yield* this.sessions.ofService(serviceId);
    for (const groupId of this.routes.groupsContaining(serviceId)) yield* this.sessions.ofService(groupId);
  }

  private announceListChanged(groupId: string): void {
    for (const session of this.sessions.ofService(groupId)) {
      for (const method of LIST_CHANGED) session.sendUnrelated({ jsonrpc: '2.0', method });
    }
  }

  private release(session: ClientSession): void {
    if (this.principals?.release(session)) {
      // It may have been answered by the placeholder before it connected.
      this.shared.get(session.serviceId)?.upstream.release(session);
      return;
    }
    const dedicated = this.dedicated.get(session.id);
    if (dedicated) {
      this.dedicated.delete(session.id);
      dedicated.release();
      return;
    }
    this.of(session)?.release(session);
  }

  private async whenReady(route: ServiceRoute, upstream: SharedUpstream, deadline: number): Promise<SharedUpstream> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceUnavailable(`MCP server "${route.name}" has not finished initializing`, 'initializing')),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      await Promise.race([upstream.ready, timeout]);
      return upstream;
    } catch (error) {
      if (error instanceof ServiceUnavailable) throw error;
      throw new ServiceUnavailable(`MCP server "${route.name}" failed to initialize: ${(error as Error).message}`, 'failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private nextStart(serviceId: string, waitMs: number): Promise<boolean> {
    if (waitMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.waiters.get(serviceId) ?? new Set();
      this.waiters.set(serviceId, set);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        resolve(false);
      }, waitMs);
      set.add(wake);
    });
  }
}
