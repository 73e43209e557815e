import { DestroyRef, Injectable, Signal, inject, signal } from '@angular/core';
import type {
  DeploymentSummaryView,
  LiveClientMessage,
  LiveServerMessage,
  NetworkStatusView,
  ServiceLogLineView,
  ServiceMetricsView,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { Observable, Subject, Subscriber, filter, map } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { LIVE_RECONNECT_POLICY, LIVE_SOCKET_FACTORY, LIVE_URL, LiveSocket, reconnectDelay } from './live-socket.tokens';

/**
 * `idle`: nothing subscribed, no connection. `connecting`: first connection on its way.
 * `open`: authenticated, channels flowing. `reconnecting`: lost, waiting for the next attempt.
 * `unauthorized`: the gateway refused the session token (close code 4401); no retry.
 * `signed-out`: there is no session token to connect with.
 */
export type LiveConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'signed-out';

/** What a `logs:<service>` channel delivers: the backlog (on every (re)subscription), then each line. */
export type LogChannelEvent =
  | { kind: 'backlog'; lines: ServiceLogLineView[] }
  | { kind: 'line'; line: ServiceLogLineView }
  | { kind: 'error'; message: string };

/**
 * What a `deploy:<id>` channel delivers. `snapshot` starts every (re)subscription: the deployment and
 * all its log lines follow, so what was shown before is replaced rather than added to.
 */
export type DeployChannelEvent =
  | { kind: 'snapshot' }
  | { kind: 'deployment'; deployment: DeploymentSummaryView }
  | { kind: 'lines'; lines: string[] }
  | { kind: 'error'; message: string };

/**
 * Messages that belong to one channel. `subscribed` is passed on too: for channels that send a
 * snapshot at subscription it says that one begins.
 */
export type LiveChannelMessage = Extract<
  LiveServerMessage,
  { type: 'subscribed' | 'backlog' | 'log' | 'status' | 'metrics' | 'deployment' | 'deploy-log' | 'network' | 'error' }
>;

/** Close code the gateway uses for "authentication required or refused". */
export const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_NORMAL = 1000;
const WEB_SOCKET_OPEN = 1;

export const STATUS_CHANNEL = 'status';
export const METRICS_CHANNEL = 'metrics';
export const NETWORK_CHANNEL = 'network';
export const logsChannel = (service: string): string => `logs:${service}`;
export const deployChannel = (deploymentId: string): string => `deploy:${deploymentId}`;

/**
 * One WebSocket to the gateway's `/ws`, shared by every page. It connects when the first channel
 * is subscribed, authenticates with the session token as its first message, re-subscribes every
 * channel after a reconnect (with doubling back-off), and closes a while after the last channel
 * is unsubscribed.
 */
/** Stands for the session cookie where a token would be (never sent: the browser sends the cookie itself). */
const COOKIE_SESSION = 'cookie';

@Injectable({ providedIn: 'root' })
export class LiveSocketService {
  private readonly auth = inject(AuthService);
  private readonly openSocket = inject(LIVE_SOCKET_FACTORY);
  private readonly url = inject(LIVE_URL);
  private readonly policy = inject(LIVE_RECONNECT_POLICY);

  private readonly subscribers = new Map<string, Set<Subscriber<LiveChannelMessage>>>();
  private socket: LiveSocket | null = null;
  private authenticated = false;
  private attempt = 0;
  private token: string | null = null;
  private refusedToken: string | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly readySubject = new Subject<void>();
  private readonly stateSignal = signal<LiveConnectionState>('idle');

  /** Where the connection stands; pages show it so a stale view is never mistaken for a live one. */
  readonly state: Signal<LiveConnectionState> = this.stateSignal.asReadonly();

  /**
   * Emits each time the connection is (re)authenticated. Pages that keep a REST snapshot reload it
   * then, since changes that happened while disconnected were not streamed.
   */
  readonly ready$: Observable<void> = this.readySubject.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.shutdown());
  }

  /** Every message of a channel while subscribed. Subscribing connects; the last unsubscribe lets go. */
  channel(name: string): Observable<LiveChannelMessage> {
    return new Observable<LiveChannelMessage>((subscriber) => {
      let set = this.subscribers.get(name);
      const first = !set;
      if (!set) {
        set = new Set();
        this.subscribers.set(name, set);
      }
      set.add(subscriber);
      this.cancelIdleClose();
      if (first && this.authenticated) this.send({ type: 'subscribe', channel: name });
      this.ensureConnected();

      return () => {
        const current = this.subscribers.get(name);
        if (!current) return;
        current.delete(subscriber);
        if (current.size > 0) return;
        this.subscribers.delete(name);
        if (this.authenticated) this.send({ type: 'unsubscribe', channel: name });
        if (this.subscribers.size === 0) this.scheduleIdleClose();
      };
    });
  }

  /** A service view at every status change. */
  status(): Observable<ServiceView> {
    return this.channel(STATUS_CHANNEL).pipe(
      filter((message): message is Extract<LiveChannelMessage, { type: 'status' }> => message.type === 'status'),
      map((message) => message.service),
    );
  }

  /** Process (and proxy) figures of running services, about every 5 seconds each. */
  metrics(): Observable<ServiceMetricsView> {
    return this.channel(METRICS_CHANNEL).pipe(
      filter((message): message is Extract<LiveChannelMessage, { type: 'metrics' }> => message.type === 'metrics'),
      map((message) => message.metrics),
    );
  }

  /** A service's log: the backlog, then each new line; again the backlog after a reconnect. */
  logs(service: string): Observable<LogChannelEvent> {
    return this.channel(logsChannel(service)).pipe(
      map((message): LogChannelEvent | null => {
        switch (message.type) {
          case 'backlog':
            return { kind: 'backlog', lines: message.lines };
          case 'log':
            return { kind: 'line', line: message.line };
          case 'error':
            return { kind: 'error', message: message.message };
          default:
            return null;
        }
      }),
      filter((event): event is LogChannelEvent => event !== null),
    );
  }

  /** A deployment as it moves on, and its build log: everything so far at each (re)subscription, then new lines. */
  deployment(deploymentId: string): Observable<DeployChannelEvent> {
    return this.channel(deployChannel(deploymentId)).pipe(
      map((message): DeployChannelEvent | null => {
        switch (message.type) {
          case 'subscribed':
            return { kind: 'snapshot' };
          case 'deployment':
            return { kind: 'deployment', deployment: message.deployment };
          case 'deploy-log':
            return { kind: 'lines', lines: message.lines };
          case 'error':
            return { kind: 'error', message: message.message };
          default:
            return null;
        }
      }),
      filter((event): event is DeployChannelEvent => event !== null),
    );
  }

  /**
   * The network status at every change. The gateway sends it at subscription only to the socket that
   * subscribes, so a page also loads it over REST (a second page on the same channel gets no snapshot).
   */
  network(): Observable<NetworkStatusView> {
    return this.channel(NETWORK_CHANNEL).pipe(
      filter((message): message is Extract<LiveChannelMessage, { type: 'network' }> => message.type === 'network'),
      map((message) => message.network),
    );
  }

  /** Skips the back-off wait: the user asked to try again now. */
  reconnectNow(): void {
    if (!this.reconnectTimer) return;
    this.clearReconnect();
    this.connect();
  }

  /** The session token, or COOKIE_SESSION for a session this tab knows through the cookie only. */
  private credential(): string | null {
    return this.auth.token() ?? (this.auth.isAuthenticated() ? COOKIE_SESSION : null);
  }

  private ensureConnected(): void {
    if (this.socket || this.reconnectTimer) return;
    // A refused token is not tried again; a new one (signed in again) is.
    if (this.stateSignal() === 'unauthorized' && this.credential() === this.refusedToken) return;
    this.attempt = 0;
    this.connect();
  }

  private connect(): void {
    const token = this.credential();
    if (!token) {
      this.stateSignal.set('signed-out');
      return;
    }
    this.token = token;
    this.stateSignal.set(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: LiveSocket;
    try {
      socket = this.openSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.authenticated = false;
    // A tab holding no token rides on the session cookie, which the gateway reads at the handshake.
    socket.onopen = () => (token === COOKIE_SESSION ? undefined : this.sendOn(socket, { type: 'auth', token }));
    socket.onmessage = (event) => this.onMessage(socket, event);
    socket.onerror = () => undefined; // A close event always follows; it decides what happens next.
    socket.onclose = (event) => this.onClose(socket, event);
  }

  private onMessage(socket: LiveSocket, event: MessageEvent): void {
    if (socket !== this.socket || typeof event.data !== 'string') return;
    let message: LiveServerMessage;
    try {
      message = JSON.parse(event.data) as LiveServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'ready':
        this.authenticated = true;
        this.attempt = 0;
        this.stateSignal.set('open');
        for (const channel of this.subscribers.keys()) this.send({ type: 'subscribe', channel });
        this.readySubject.next();
        return;
      case 'unsubscribed':
        return;
      case 'status':
        return this.deliver(STATUS_CHANNEL, message);
      case 'metrics':
        return this.deliver(METRICS_CHANNEL, message);
      case 'network':
        return this.deliver(NETWORK_CHANNEL, message);
      case 'subscribed':
      case 'backlog':
      case 'log':
      case 'deployment':
      case 'deploy-log':
        return this.deliver(message.channel, message);
      case 'error':
        if (message.channel) this.deliver(message.channel, message);
        return;
    }
  }

  private onClose(socket: LiveSocket, event: CloseEvent): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.authenticated = false;
    if (event.code === CLOSE_UNAUTHORIZED) {
      this.refusedToken = this.token;
      this.stateSignal.set(this.credential() ? 'unauthorized' : 'signed-out');
      return;
    }
    if (this.subscribers.size === 0) {
      this.stateSignal.set('idle');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.socket = null;
    const delay = reconnectDelay(this.attempt, this.policy);
    this.attempt += 1;
    this.stateSignal.set('reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.subscribers.size > 0) this.connect();
      else this.stateSignal.set('idle');
    }, delay);
  }

  private deliver(channel: string, message: LiveChannelMessage): void {
    const set = this.subscribers.get(channel);
    if (!set) return;
    for (const subscriber of [...set]) subscriber.next(message);
  }

  private send(message: LiveClientMessage): void {
    if (this.socket) this.sendOn(this.socket, message);
  }

  private sendOn(socket: LiveSocket, message: LiveClientMessage): void {
    if (socket.readyState === WEB_SOCKET_OPEN) socket.send(JSON.stringify(message));
  }

  private scheduleIdleClose(): void {
    this.cancelIdleClose();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.subscribers.size === 0) this.disconnect();
    }, this.policy.idleCloseMs);
  }

  private cancelIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private disconnect(): void {
    this.clearReconnect();
    const socket = this.socket;
    this.socket = null;
    this.authenticated = false;
    this.attempt = 0;
    if (this.stateSignal() !== 'unauthorized') this.stateSignal.set('idle');
    socket?.close(CLOSE_NORMAL, 'no channels in use');
  }

  private shutdown(): void {
    this.cancelIdleClose();
    this.disconnect();
    this.readySubject.complete();
  }
}
