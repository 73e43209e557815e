import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RESERVED_SERVICE_NAMES } from '@mcp-proxy/shared/dto';
import type {
  GroupMemberView,
  GroupView,
  ProcessConfigView,
  ProxyConfigView,
  RemoteOAuthConnection,
  ServiceTransport,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { Clock } from '../../core/time/clock';
import { GROUP_CHANGED, GroupsService } from '../../groups/groups.service';
import { SERVICE_EVENTS } from '../../supervisor/child-handle';
import { ServicesService } from '../../services/services.service';
import { ALL_SERVICES_GROUP, ALL_SERVICES_GROUP_ID } from './mcp-path';

/** What a group route adds: who its members are and what of them it shows. */
export interface GroupRoute {
  separator: string;
  members: GroupMemberView[];
  allow: string[];
  deny: string[];
  memberTimeoutMs: number;
  toolSearch: boolean;
}

/** What the data plane needs to know about a service, or a group served like one, on every request. */
export interface ServiceRoute {
  id: string;
  name: string;
  kind: 'service' | 'group';
  transport: ServiceTransport;
  proxy: ProxyConfigView;
  process: ProcessConfigView;
  group?: GroupRoute;
  /** A remote with `auth: "oauth"`: calls go out with the shared connection's or the caller's own tokens. */
  upstreamOAuth?: RemoteOAuthConnection;
}

/**
 * Service id, name and proxy path (and `g/<group>`) → route, rebuilt from the registries whenever they
 * change (Traefik-style: configuration is read here, request handling only looks up).
 */
@Injectable()
export class RouteTable implements OnModuleInit {
  private readonly logger = new Logger('RouteTable');
  private routes = new Map<string, ServiceRoute>();
  private readonly policyListeners: ((serviceId: string) => void)[] = [];
  /** Collisions already reported, so a reload does not repeat them. */
  private reported = new Set<string>();
  private rebuilding: Promise<void> | null = null;
  private dirty = false;
  /** When the last reload started (clock ms); misses reload again only after MISS_RELOAD_INTERVAL_MS. */
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly services: ServicesService,
    private readonly groups: GroupsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): Promise<void> {
    return this.rebuild();
  }

  @OnEvent(SERVICE_EVENTS.changed)
  onServiceChanged(): Promise<void> {
    return this.rebuild();
  }

  @OnEvent(GROUP_CHANGED)
  onGroupChanged(): Promise<void> {
    return this.rebuild();
  }

  /**
   * Finds a route. On a miss the table is reloaded, so a service or group created a moment ago on another
   * instance is found; but at most once per MISS_RELOAD_INTERVAL_MS (misses meanwhile share that reload),
   * so a stream of requests for unknown names costs the database nothing more than that.
   */
  async resolve(key: string): Promise<ServiceRoute | undefined> {
    const route = this.routes.get(key);
    if (route) return route;
    if (this.rebuilding) await this.rebuilding;
    else if (this.clock.now() - this.loadedAt >= MISS_RELOAD_INTERVAL_MS) await this.rebuild();
    return this.routes.get(key);
  }

  /** Told of each service whose drift policy a reload found changed (what its sessions may see changed with it). */
  onDriftPolicyChanged(listener: (serviceId: string) => void): void {
    this.policyListeners.push(listener);
  }

  byId(id: string): ServiceRoute | undefined {
    return this.routes.get(id);
  }

  /** The ids of the groups a service belongs to (for notifications that concern their sessions too). */
  groupsContaining(serviceId: string): string[] {
    const ids = new Set<string>();
    for (const route of this.routes.values()) {
      if (route.group?.members.some((member) => member.serviceId === serviceId)) ids.add(route.id);
    }
    return [...ids];
  }

  /** Calls that arrive during a reload share it; a change seen meanwhile triggers one more pass. */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.dirty = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.dirty = false;
        this.loadedAt = this.clock.now();
        await this.load();
      } while (this.dirty);
    })().finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }

  /**
   * The built-in route first, then services and groups: a key is never overwritten. A row that would take
   * a reserved word or another route's key (written before the API refused that, or by hand) loses that key,
   * with an error in the log; the rest of the table, and start-up, go on.
   */
  private async load(): Promise<void> {
    const [services, groups] = await Promise.all([this.services.list(), this.groups.list()]);
    const next = new Map<string, ServiceRoute>();
    const collisions: string[] = [];
    const add = (key: string, route: ServiceRoute): void => {
      const holder = next.get(key) ?? (route.kind === 'service' && isReservedWord(key) ? 'reserved' : undefined);
      if (holder === undefined || holder === route) return void next.set(key, route);
      const by = holder === 'reserved' ? 'a word the router reserves' : `${holder.kind} "${holder.name}"`;
      collisions.push(`${route.kind} "${route.name}" (${route.id}) cannot be reached as /mcp/${key}: that is already ${by}`);
    };
    const all = allServicesRoute(services);
    add(all.id, all);
    add(ALL_SERVICES_GROUP, all);
    for (const view of services) {
      const route: ServiceRoute = {
        id: view.id,
        name: view.name,
        kind: 'service',
        transport: view.transport,
        proxy: view.proxy,
        process: view.process,
        ...(view.remote?.auth === 'oauth' && view.remote.oauth ? { upstreamOAuth: view.remote.oauth.connection } : {}),
      };
      add(view.id, route);
      add(view.name, route);
      add(view.proxy.path.slice('/mcp/'.length), route);
    }
    for (const group of groups) {
      if (!group.enabled) continue;
      const route = groupRoute(group);
      add(group.id, route);
      add(`g/${group.name}`, route);
      add(`g/${group.id}`, route);
    }
    const previous = this.routes;
    this.routes = next;
    for (const view of services) {
      const before = previous.get(view.id);
      if (before && (before.proxy.driftPolicy ?? 'warn') !== (view.proxy.driftPolicy ?? 'warn'))
        for (const listener of this.policyListeners) listener(view.id);
    }
    for (const collision of collisions)
      if (!this.reported.has(collision)) this.logger.error(`Route collision: ${collision}; rename it or change its proxy.path`);
    this.reported = new Set(collisions);
  }
}

/** How often at most a miss reloads the table (changes on this instance, and services changed on another, reload at once). */
export const MISS_RELOAD_INTERVAL_MS = 1000;

function isReservedWord(key: string): boolean {
  return (RESERVED_SERVICE_NAMES as readonly string[]).includes(key);
}

/** A group is served with the settings of a shared service: one session per client, the group's limits. */
function groupRoute(group: GroupView): ServiceRoute {
  return {
    id: group.id,
    name: group.name,
    kind: 'group',
    transport: 'stdio',
    proxy: {
      path: group.path,
      rateLimit: group.settings.rateLimit,
      cache: true,
      toolResultTtlSec: 0,
      requestTimeoutSec: group.settings.requestTimeoutSec,
      responseMode: group.settings.responseMode,
    },
    process: GROUP_PROCESS,
    group: {
      separator: group.separator,
      members: group.members,
      allow: group.allow,
      deny: group.deny,
      memberTimeoutMs: group.settings.memberTimeoutSec * 1000,
      toolSearch: group.settings.toolSearch ?? false,
    },
  };
}

/** `/mcp`: every shared stdio or remote service, in name order. */
function allServicesRoute(services: ServiceView[]): ServiceRoute {
  const members = services
    .filter((service) => (service.transport === 'stdio' || service.transport === 'remote') && service.process.isolation === 'shared')
    .map((service) => ({ serviceId: service.id, serviceName: service.name, allow: [], deny: [], renames: {} }));
  return groupRoute({
    id: ALL_SERVICES_GROUP_ID,
    name: 'all',
    path: '/mcp',
    enabled: true,
    separator: '__',
    members,
    allow: [],
    deny: [],
    settings: { rateLimit: 0, requestTimeoutSec: 60, memberTimeoutSec: 5, responseMode: 'auto', toolSearch: false },
    createdAt: '',
    updatedAt: '',
  });
}

const GROUP_PROCESS: ProcessConfigView = {
  command: null,
  args: [],
  cwd: null,
  autoRestart: false,
  maxRestarts: 0,
  port: null,
  isolation: 'shared',
  restartWindowSec: 300,
  healthCheckIntervalSec: 0,
  memoryLimitMb: null,
  maxSessions: 0,
  sessionIdleTimeoutSec: 1800,
};
