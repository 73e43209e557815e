import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DeploymentSummaryView, LiveServerMessage, NetworkStatusView, ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { DEPLOY_CHANNEL_PREFIX, LOG_TAIL_DEFAULT, NETWORK_CHANNEL } from '@mcp-proxy/shared/dto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { CredentialRegistry } from '../core/auth/credential-registry';
import { CredentialWatch } from '../core/auth/credential-watch';
import { extractCredential } from '../core/auth/credentials';
import { cookieCredential } from '../core/auth/session-cookie';
import { FailedAuthLimiter } from '../core/auth/failed-auth-limiter';
import { isManagementPrincipal, Principal, scopeAllowsService } from '../core/auth/principal';
import { ClientOrigin } from '../core/http/client-origin';
import { UpgradeRoute } from '../core/http/upgrade-router';
import { DEPLOY_EVENTS, DeployLogLines } from '../deploy/deploy-events';
import { DeploymentsService } from '../deploy/deployments.service';
import { NETWORK_EVENTS } from '../network/network-events';
import { NetworkStatusService } from '../network/network-status.service';
import { SERVICE_EVENTS, ServiceLogLine } from '../supervisor/child-handle';
import { ServiceLogs } from '../supervisor/logging/service-logs';
import { ServicesService } from '../services/services.service';
import { LIVE_PATH, LOGS_CHANNEL_PREFIX, parseClientMessage } from './live-messages';

/** A client that does not authenticate within this time is disconnected. */
const AUTH_TIMEOUT_MS = 5000;
const HEARTBEAT_MS = 30_000;
/** A client this far behind misses live lines rather than making the proxy buffer for it. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** WebSocket close code for "authentication required or refused" (application range). */
export const CLOSE_UNAUTHORIZED = 4401;

interface LiveClient {
  socket: WebSocket;
  address: string;
  authenticated: boolean;
  /** Every role may watch (logs are masked); a principal limited to some services sees only theirs. */
  principal: Principal | null;
  alive: boolean;
  status: boolean;
  metrics: boolean;
  network: boolean;
  /** Log channels by service id, with the name the client used for them. */
  logs: Map<string, string>;
  /** Deployments followed (`deploy:<id>`), with the service each belongs to. */
  deploys: Map<string, string>;
  authTimer?: ReturnType<typeof setTimeout>;
  /** Ends the re-checks of the client's credential. */
  unwatch?: () => void;
}

/**
 * Live data for the admin UI at `/ws`: `logs:<service>` (backlog, then each line), `status` (a
 * service view at every status change), `metrics` (process samples) and `network` (the network
 * status at subscription and at every change). Authenticated with the API
 * key or a session token, as `?token=` or as the first message `{"type":"auth","token":…}`.
 */
@Injectable()
export class LiveGateway implements OnModuleInit, OnModuleDestroy {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<LiveClient>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly credentials: CredentialRegistry,
    private readonly failures: FailedAuthLimiter,
    private readonly services: ServicesService,
    private readonly logs: ServiceLogs,
    private readonly deployments: DeploymentsService,
    private readonly network: NetworkStatusService,
    private readonly watch: CredentialWatch,
    private readonly client: ClientOrigin,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.server.close();
  }

  // ─── News from the other modules, to the clients following it ────────────────────────────────

  @OnEvent(SERVICE_EVENTS.log)
  onLog(line: ServiceLogLine): void {
    this.deliverLog(line);
  }

  @OnEvent(SERVICE_EVENTS.status)
  onStatus(view: ServiceView): void {
    this.broadcast('status', { type: 'status', channel: 'status', service: view }, view.id);
  }

  @OnEvent(SERVICE_EVENTS.metrics)
  onMetrics(metrics: ServiceMetricsView): void {
    this.broadcast('metrics', { type: 'metrics', channel: 'metrics', metrics }, metrics.serviceId);
  }

  @OnEvent(DEPLOY_EVENTS.status)
  onDeployStatus(deployment: DeploymentSummaryView): void {
    this.toDeployFollowers(deployment.id, { type: 'deployment', channel: `${DEPLOY_CHANNEL_PREFIX}${deployment.id}`, deployment });
  }

  @OnEvent(DEPLOY_EVENTS.log)
  onDeployLog({ deploymentId, lines }: DeployLogLines): void {
    this.toDeployFollowers(deploymentId, { type: 'deploy-log', channel: `${DEPLOY_CHANNEL_PREFIX}${deploymentId}`, lines });
  }

  @OnEvent(NETWORK_EVENTS.changed)
  onNetwork(network: NetworkStatusView): void {
    this.broadcast('network', { type: 'network', channel: 'network', network });
  }

  // ─── The socket ─────────────────────────────────────────────────────────────────────────────

  /** A wrong `?token=` is refused before the handshake; no token means the first message must authenticate. */
  @UpgradeRoute({ path: LIVE_PATH })
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.authenticateUpgrade(request, socket, head).catch(() => refuse(socket, 500, 'Internal Server Error'));
  }

  private async authenticateUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const address = this.client.address(request);
    const presented = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? extractCredential(request.headers);
    const token = presented ?? this.sameOriginCookie(request);
    const verdict = await this.failures.verify(address, token ?? undefined, async (credential) =>
      managementPrincipal(await this.credentials.verify(credential)),
    );
    const principal = verdict.principal;
    // A stale cookie is let through to be closed with 4401, which the portal reads as "signed out", not as a network error.
    if (presented && !principal)
      return verdict.status === 429 ? refuse(socket, 429, 'Too Many Requests') : refuse(socket, 401, 'Unauthorized');
    this.server.handleUpgrade(request, socket, head, (ws) =>
      this.accept(ws, address, token && principal ? { token, principal } : null, token !== undefined && !principal),
    );
  }

  /** The portal's session cookie, taken only from a page of our own origin (a socket has no CORS to lean on). */
  private sameOriginCookie(request: IncomingMessage): string | undefined {
    const origin = request.headers.origin;
    if (!origin) return undefined;
    try {
      if (new URL(origin).host.toLowerCase() !== this.client.host(request)) return undefined;
    } catch {
      return undefined;
    }
    return cookieCredential(request);
  }

  private accept(socket: WebSocket, address: string, credential: { token: string; principal: Principal } | null, refused = false): void {
    const client: LiveClient = {
      socket,
      address,
      authenticated: false,
      principal: null,
      alive: true,
      status: false,
      metrics: false,
      network: false,
      logs: new Map(),
      deploys: new Map(),
    };
    this.clients.add(client);
    socket.on('message', (data: RawData, isBinary: boolean) => void this.onMessage(client, data, isBinary));
    socket.on('pong', () => (client.alive = true));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      if (client.authTimer) clearTimeout(client.authTimer);
      client.unwatch?.();
      this.clients.delete(client);
    });
    if (credential) this.authenticated(client, credential.token, credential.principal);
    else if (refused) socket.close(CLOSE_UNAUTHORIZED, 'the session has ended');
    else client.authTimer = setTimeout(() => socket.close(CLOSE_UNAUTHORIZED, 'authentication required'), AUTH_TIMEOUT_MS);
  }

  /** From now on the credential is re-checked while the socket is open: revoked or deleted closes it, new limits apply to what it follows. */
  private authenticated(client: LiveClient, token: string, principal: Principal): void {
    // Closed while the credential was being checked: its 'close' has passed, nothing to watch.
    if (client.socket.readyState !== WebSocket.OPEN) return;
    client.authenticated = true;
    client.principal = principal;
    if (client.authTimer) clearTimeout(client.authTimer);
    client.unwatch = this.watch.watch(token, principal, (next) => {
      const allowed = managementPrincipal(next);
      if (allowed) return this.narrow(client, allowed);
      client.socket.close(CLOSE_UNAUTHORIZED, 'the credential was revoked, expired or deleted');
    });
    this.send(client, { type: 'ready' });
  }

  /** The principal's limits changed: what it may no longer watch is unsubscribed (status and metrics are filtered per message). */
  private narrow(client: LiveClient, principal: Principal): void {
    client.principal = principal;
    for (const [serviceId, channel] of [...client.logs]) {
      if (this.mayWatch(client, serviceId)) continue;
      client.logs.delete(serviceId);
      this.send(client, { type: 'unsubscribed', channel });
    }
    for (const [deploymentId, serviceId] of [...client.deploys]) {
      if (this.mayWatch(client, serviceId)) continue;
      client.deploys.delete(deploymentId);
      this.send(client, { type: 'unsubscribed', channel: `${DEPLOY_CHANNEL_PREFIX}${deploymentId}` });
    }
  }

  private async onMessage(client: LiveClient, data: RawData, isBinary: boolean): Promise<void> {
    const parsed = isBinary ? { ok: false as const, error: 'messages must be text' } : parseClientMessage(data.toString());
    if (!client.authenticated) {
      const token = parsed.ok && parsed.message.type === 'auth' ? parsed.message.token : undefined;
      // Only a token that was presented and wrong counts as a failure; anything else is merely refused.
      const verdict = await this.failures.verify(client.address, token, async (credential) =>
        managementPrincipal(await this.credentials.verify(credential)),
      );
      const principal = verdict.principal;
      if (token && principal) {
        this.authenticated(client, token, principal);
      } else {
        client.socket.close(CLOSE_UNAUTHORIZED, 'a valid API key or session token is required');
      }
      return;
    }
    if (!parsed.ok) return this.send(client, { type: 'error', message: parsed.error });
    const { message } = parsed;
    if (message.type === 'auth') return this.send(client, { type: 'ready' });
    if (message.type === 'subscribe') return this.subscribe(client, message.channel);
    this.unsubscribe(client, message.channel);
  }

  private async subscribe(client: LiveClient, channel: string): Promise<void> {
    if (channel === 'status' || channel === 'metrics') {
      client[channel] = true;
      return this.send(client, { type: 'subscribed', channel });
    }
    if (channel === NETWORK_CHANNEL) {
      client.network = true;
      this.send(client, { type: 'subscribed', channel });
      this.send(client, { type: 'network', channel: 'network', network: this.network.view() });
      // What was stale (addresses, the public IP) follows as a further message when it changes.
      return void this.network.refresh().catch(() => undefined);
    }
    if (channel.startsWith(DEPLOY_CHANNEL_PREFIX)) return this.subscribeDeploy(client, channel);
    let service: ServiceView;
    try {
      service = await this.services.get(channel.slice(LOGS_CHANNEL_PREFIX.length));
      if (!this.mayWatch(client, service.id)) throw new Error('outside the permitted services');
    } catch {
      return this.send(client, { type: 'error', channel, message: `service "${channel.slice(LOGS_CHANNEL_PREFIX.length)}" not found` });
    }
    // Backlog and live lines join in the same tick, so no line is lost or sent twice in between.
    client.logs.set(service.id, channel);
    this.send(client, { type: 'subscribed', channel });
    this.send(client, { type: 'backlog', channel, lines: this.logs.tail(service.id, LOG_TAIL_DEFAULT) });
  }

  /** The deployment as it is, every log line so far, then each change and line as it happens. */
  private async subscribeDeploy(client: LiveClient, channel: string): Promise<void> {
    const id = channel.slice(DEPLOY_CHANNEL_PREFIX.length);
    let serviceId = '';
    const snapshot = /^[0-9a-f-]{36}$/i.test(id) ? await this.deployments.snapshot(id, () => client.deploys.set(id, serviceId)) : null;
    if (!snapshot || !this.mayWatch(client, snapshot.deployment.serviceId)) {
      client.deploys.delete(id);
      return this.send(client, { type: 'error', channel, message: `deployment "${id}" not found` });
    }
    serviceId = snapshot.deployment.serviceId;
    client.deploys.set(id, serviceId);
    this.send(client, { type: 'subscribed', channel });
    this.send(client, { type: 'deployment', channel, deployment: snapshot.deployment });
    this.send(client, { type: 'deploy-log', channel, lines: snapshot.lines });
  }

  private unsubscribe(client: LiveClient, channel: string): void {
    if (channel.startsWith(DEPLOY_CHANNEL_PREFIX)) client.deploys.delete(channel.slice(DEPLOY_CHANNEL_PREFIX.length));
    if (channel === 'status' || channel === 'metrics' || channel === NETWORK_CHANNEL) client[channel] = false;
    for (const [serviceId, name] of client.logs) if (name === channel) client.logs.delete(serviceId);
    this.send(client, { type: 'unsubscribed', channel });
  }

  private deliverLog(line: ServiceLogLine): void {
    for (const client of this.clients) {
      const channel = client.logs.get(line.serviceId);
      if (channel) this.send(client, { type: 'log', channel, line }, true);
    }
  }

  private toDeployFollowers(deploymentId: string, message: LiveServerMessage): void {
    for (const client of this.clients) if (client.deploys.has(deploymentId)) this.send(client, message, true);
  }

  private broadcast(channel: 'status' | 'metrics' | 'network', message: LiveServerMessage, serviceId?: string): void {
    for (const client of this.clients) {
      if (client[channel] && (serviceId === undefined || this.mayWatch(client, serviceId))) this.send(client, message, true);
    }
  }

  private mayWatch(client: LiveClient, serviceId: string): boolean {
    return client.principal ? scopeAllowsService(client.principal, serviceId) : false;
  }

  private send(client: LiveClient, message: LiveServerMessage, droppable = false): void {
    if (client.socket.readyState !== WebSocket.OPEN) return;
    if (droppable && client.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    client.socket.send(JSON.stringify(message));
  }

  /** Connections that stopped answering pings (a sleeping laptop) are dropped. */
  private checkAlive(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Client tokens and OAuth access tokens are for the MCP endpoints: live logs and status are management data. */
function managementPrincipal(principal: Principal | null): Principal | null {
  return principal && isManagementPrincipal(principal) ? principal : null;
}
