import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Clock } from '../../core/time/clock';
import { ServiceLogs } from '../../supervisor/logging/service-logs';
import { RemoteChild } from '../../supervisor/remote/remote-child';
import { REMOTE_CONNECTOR, RemoteConnector } from '../../supervisor/remote/remote-link';
import { UpstreamConnections } from '../../upstream-auth/upstream-connections.service';
import { UpstreamElicitations, type UrlElicitation } from '../../upstream-auth/upstream-elicitations';
import type { ClientSession } from '../sessions/client-session';
import { RouteTable } from '../routing/route-table';
import { SharedUpstream } from './shared-upstream';
import { TOOL_PIN_GUARD, ToolPinGuard, toolPinsFor } from './tool-pin-guard';
import { PROXY_CLIENT_INFO, type ServerIdentity } from './upstream';

interface Entry {
  key: string;
  child: RemoteChild;
  upstream: SharedUpstream;
  sessions: Set<ClientSession>;
}

const INITIALIZE_TIMEOUT_MS = 30_000;

/**
 * The upstreams of `auth: "oauth"` remotes, one per connection: `shared` (one for the service) or one per
 * principal (`perUser`), each its own MCP session with the remote, carrying that connection's Bearer token.
 * The remote may bind its session to the account, so principals never share one. A session with no
 * connection has none here and falls back to the service's placeholder, which tells it where to connect.
 */
@Injectable()
export class PrincipalUpstreams {
  private readonly logger = new Logger('PrincipalUpstreams');
  private readonly entries = new Map<string, Entry>();
  /** `<session id> <service id>` → the connection's entry (a group session has one per oauth member). */
  private readonly bySession = new Map<string, Entry>();
  private readonly opening = new Map<string, Promise<Entry>>();

  constructor(
    private readonly connections: UpstreamConnections,
    private readonly logs: ServiceLogs,
    private readonly clock: Clock,
    @Inject(REMOTE_CONNECTOR) private readonly connect: RemoteConnector,
    private readonly routes: RouteTable,
    @Optional() @Inject(TOOL_PIN_GUARD) private readonly toolPinGuard: ToolPinGuard | null = null,
    @Optional() @Inject(UpstreamElicitations) private readonly elicitations: UpstreamElicitations | null = null,
  ) {}

  of(session: ClientSession, serviceId = session.serviceId): SharedUpstream | undefined {
    return this.bySession.get(`${session.id} ${serviceId}`)?.upstream;
  }

  identityOf(session: ClientSession): ServerIdentity | null {
    return this.of(session)?.identity ?? null;
  }

  /**
   * The session's connection's upstream, initialized; null while the session's principal has no connection.
   * Throws (with the remote's or the connection's reason) when the connection cannot open a session.
   */
  async forSession(serviceId: string, session: ClientSession): Promise<SharedUpstream | null> {
    const bound = this.bySession.get(`${session.id} ${serviceId}`);
    if (bound && bound.child.isRunning) return bound.upstream;
    const service = await this.connections.oauthService(serviceId);
    const key = await this.connections.keyFor(service, session.principalId);
    if (!(await this.connections.hasConnection(service.id, key))) return null;
    const id = `${service.id} ${key}`;
    let entry = this.entries.get(id);
    if (!entry || !entry.child.isRunning) {
      let opening = this.opening.get(id);
      if (!opening) {
        opening = this.open(service, key, id).finally(() => this.opening.delete(id));
        this.opening.set(id, opening);
      }
      entry = await opening;
    }
    entry.sessions.add(session);
    this.bySession.set(`${session.id} ${service.id}`, entry);
    return entry.upstream;
  }

  /**
   * A URL elicitation for a session with no connection to a perUser service, when its client declared URL-mode
   * elicitation (MCP 2025-11-25) and its principal can sign in to connect; null otherwise (the tool error stays).
   */
  async elicitationFor(serviceId: string, session: ClientSession): Promise<UrlElicitation | null> {
    if (!acceptsUrlElicitation(session.clientCapabilities) || !this.elicitations) return null;
    const service = await this.connections.oauthService(serviceId);
    if ((service.settings.oauth?.connection ?? 'perUser') !== 'perUser') return null;
    const key = await this.connections.keyFor(service, session.principalId);
    return this.elicitations.offer(service, key, session.id);
  }

  /** The session ended: its connections forget it; a connection left with no session ends its remote session. */
  release(session: ClientSession): boolean {
    const mine = [...this.bySession].filter(([key]) => key.startsWith(`${session.id} `));
    for (const [key, entry] of mine) {
      this.bySession.delete(key);
      entry.sessions.delete(session);
      entry.upstream.release(session);
      if (entry.sessions.size === 0) void entry.child.stop({ reason: 'no client session left' });
    }
    return mine.length > 0;
  }

  /** Every connection's session with a service ends (the service stopped or changed). */
  async endService(serviceId: string): Promise<void> {
    const ending = [...this.entries.values()].filter((entry) => entry.child.serviceId === serviceId);
    await Promise.all(ending.map((entry) => entry.child.stop({ reason: 'service stopped' })));
  }

  private async open(service: Awaited<ReturnType<UpstreamConnections['oauthService']>>, key: string, id: string): Promise<Entry> {
    const settings = service.settings.withBearer(this.connections.bearer(service, key));
    const log = this.logs.open(service.id, service.name);
    const sessions = new Set<ClientSession>();
    const child = new RemoteChild({
      serviceId: service.id,
      serviceName: service.name,
      generation: 0,
      description: `${settings.protocol} ${settings.url.origin}${settings.url.pathname} (${key === 'shared' ? 'shared connection' : 'a connection of its own'})`,
      log,
      now: () => this.clock.now(),
      onExit: () => this.forget(id, child),
      connect: (events) => this.connect(settings, events),
    });
    const upstream = new SharedUpstream({
      peer: child.peer,
      serviceId: service.id,
      serviceName: service.name,
      sessions: () => sessions,
      cacheSettings: () => {
        const proxy = this.routes.byId(service.id)?.proxy;
        return { lists: proxy?.cache ?? true, toolResultTtlMs: (proxy?.toolResultTtlSec ?? 0) * 1000 };
      },
      clientInfo: PROXY_CLIENT_INFO,
      initializeTimeoutMs: INITIALIZE_TIMEOUT_MS,
      // Every connection reaches the same server: its tools are checked against the service's pins.
      toolPins: this.toolPinGuard
        ? toolPinsFor(this.toolPinGuard, service.id, () => this.routes.byId(service.id)?.proxy.driftPolicy ?? 'warn')
        : undefined,
    });
    const entry: Entry = { key, child, upstream, sessions };
    this.entries.set(id, entry);
    try {
      await upstream.ready;
    } catch (error) {
      await child.stop({ reason: 'initialize failed' });
      this.forget(id, child);
      throw error;
    }
    this.logger.log(`Opened an upstream OAuth session with "${service.name}" (${key === 'shared' ? 'shared' : 'per principal'})`);
    return entry;
  }

  private forget(id: string, child: RemoteChild): void {
    const entry = this.entries.get(id);
    if (!entry || entry.child !== child) return;
    this.entries.delete(id);
    for (const session of entry.sessions) this.bySession.delete(`${session.id} ${child.serviceId}`);
  }
}

/** `capabilities.elicitation.url` (an object) in the client's `initialize`: it can open a URL for the user. */
function acceptsUrlElicitation(capabilities: Record<string, unknown>): boolean {
  const elicitation = capabilities['elicitation'];
  if (!elicitation || typeof elicitation !== 'object') return false;
  const url = (elicitation as Record<string, unknown>)['url'];
  return url !== null && typeof url === 'object';
}
