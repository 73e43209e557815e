import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ServiceLogLineView, ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { AuthService } from '../auth/auth.service';
import { AUTH_CLOCK } from '../auth/auth.tokens';
import { fakeSocketFactory } from '../../testing/fake-live-socket';
import { createTestClock, deploymentSummary, loginView, networkStatus, seedSession, serviceView } from '../../testing/fixtures';
import { DeployChannelEvent, LiveSocketService, LogChannelEvent } from './live-socket.service';
import { LIVE_RECONNECT_POLICY, LIVE_SOCKET_FACTORY, LIVE_URL, liveUrlFor, reconnectDelay } from './live-socket.tokens';

const POLICY = { initialDelayMs: 1_000, maxDelayMs: 8_000, idleCloseMs: 5_000 };

function logLine(text: string): ServiceLogLineView {
  return {
    serviceId: 's1',
    serviceName: 'everything',
    time: '2026-01-01T00:00:00.000Z',
    stream: 'stderr',
    level: 'info',
    text,
  };
}

describe('LiveSocketService', () => {
  let sockets: ReturnType<typeof fakeSocketFactory>;
  let live: LiveSocketService;

  beforeEach(() => {
    vi.useFakeTimers();
    sessionStorage.clear();
    seedSession(loginView({ token: 'session-token' }));
    sockets = fakeSocketFactory();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: LIVE_SOCKET_FACTORY, useValue: sockets.factory },
        { provide: LIVE_URL, useValue: 'ws://gateway.test/ws' },
        { provide: LIVE_RECONNECT_POLICY, useValue: POLICY },
      ],
    });
    live = TestBed.inject(LiveSocketService);
  });

  afterEach(() => {
    vi.useRealTimers();
    sessionStorage.clear();
  });

  it('does not connect until a channel is used', () => {
    expect(sockets.sockets).toHaveLength(0);
    expect(live.state()).toBe('idle');
  });

  it('connects on first use, authenticates with the session token first, then subscribes', () => {
    const received: string[] = [];
    live.status().subscribe((service) => received.push(`${service.name}:${service.status}`));

    const socket = sockets.last();
    expect(socket.url).toBe('ws://gateway.test/ws');
    expect(live.state()).toBe('connecting');
    socket.open();
    expect(socket.sent).toEqual([{ type: 'auth', token: 'session-token' }]);

    socket.receive({ type: 'ready' });
    expect(live.state()).toBe('open');
    expect(socket.sent.slice(1)).toEqual([{ type: 'subscribe', channel: 'status' }]);

    socket.receive({ type: 'status', channel: 'status', service: serviceView({ name: 'everything', status: 'running' }) });
    expect(received).toEqual(['everything:running']);
  });

  it('shares one socket between channels and routes each message to its channel only', () => {
    const statuses: string[] = [];
    const metrics: ServiceMetricsView[] = [];
    const logs: LogChannelEvent[] = [];
    live.status().subscribe((service) => statuses.push(service.status));
    live.metrics().subscribe((view) => metrics.push(view));
    live.logs('everything').subscribe((event) => logs.push(event));

    expect(sockets.sockets).toHaveLength(1);
    const socket = sockets.last();
    socket.accept();
    expect(socket.sent.slice(1)).toEqual([
      { type: 'subscribe', channel: 'status' },
      { type: 'subscribe', channel: 'metrics' },
      { type: 'subscribe', channel: 'logs:everything' },
    ]);

    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [logLine('one')] });
    socket.receive({ type: 'log', channel: 'logs:everything', line: logLine('two') });
    socket.receive({ type: 'log', channel: 'logs:other', line: logLine('not mine') });
    socket.receive({ type: 'error', channel: 'logs:everything', message: 'service "everything" not found' });
    socket.receive({
      type: 'metrics',
      channel: 'metrics',
      metrics: {
        serviceId: 's1',
        serviceName: 'everything',
        process: {
          status: 'running',
          pid: 1,
          uptimeSec: 3,
          restarts: 0,
          rssBytes: 1,
          cpuPercent: 0,
          processCount: 1,
          sessions: null,
          sampledAt: null,
        },
      },
    });

    expect(logs).toEqual([
      { kind: 'backlog', lines: [logLine('one')] },
      { kind: 'line', line: logLine('two') },
      { kind: 'error', message: 'service "everything" not found' },
    ]);
    expect(metrics.map((view) => view.serviceName)).toEqual(['everything']);
    expect(statuses).toEqual([]);
  });

  it('follows a deployment: a snapshot marker at each subscription, the deployment, then its log lines', () => {
    const events: DeployChannelEvent[] = [];
    live.deployment('d1').subscribe((event) => events.push(event));
    const socket = sockets.last();
    socket.accept();
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', channel: 'deploy:d1' });

    const queued = deploymentSummary({ id: 'd1', status: 'queued' });
    socket.receive({ type: 'subscribed', channel: 'deploy:d1' });
    socket.receive({ type: 'deployment', channel: 'deploy:d1', deployment: queued });
    socket.receive({ type: 'deploy-log', channel: 'deploy:d1', lines: ['==> deploying'] });
    socket.receive({ type: 'deploy-log', channel: 'deploy:d2', lines: ['not mine'] });
    socket.receive({ type: 'error', channel: 'deploy:d1', message: 'deployment "d1" not found' });

    expect(events).toEqual([
      { kind: 'snapshot' },
      { kind: 'deployment', deployment: queued },
      { kind: 'lines', lines: ['==> deploying'] },
      { kind: 'error', message: 'deployment "d1" not found' },
    ]);
  });

  it('delivers the network status from the network channel', () => {
    const seen: (string | null)[] = [];
    live.network().subscribe((view) => seen.push(view.publicIp));
    const socket = sockets.last();
    socket.accept();
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', channel: 'network' });

    socket.receive({ type: 'subscribed', channel: 'network' });
    socket.receive({ type: 'network', channel: 'network', network: networkStatus({ publicIp: '198.51.100.1' }) });
    expect(seen).toEqual(['198.51.100.1']);
  });

  it('subscribes a channel added while connected, and unsubscribes when its last subscriber leaves', () => {
    const first = live.status().subscribe();
    const socket = sockets.last();
    socket.accept();

    const logs = live.logs('weather').subscribe();
    const again = live.logs('weather').subscribe();
    expect(socket.sent.filter((message) => message.type === 'subscribe')).toHaveLength(2);

    logs.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', channel: 'logs:weather' });
    again.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', channel: 'logs:weather' });
    first.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', channel: 'status' });
  });

  it('closes an unused connection after the idle delay, and keeps it when a page subscribes in time', () => {
    const first = live.status().subscribe();
    const socket = sockets.last();
    socket.accept();
    first.unsubscribe();

    vi.advanceTimersByTime(POLICY.idleCloseMs - 1);
    const next = live.status().subscribe();
    vi.advanceTimersByTime(POLICY.idleCloseMs);
    expect(socket.closedWith).toBeNull();
    expect(sockets.sockets).toHaveLength(1);

    next.unsubscribe();
    vi.advanceTimersByTime(POLICY.idleCloseMs);
    expect(socket.closedWith?.code).toBe(1000);
    expect(live.state()).toBe('idle');
  });

  it('reconnects with doubling back-off and re-subscribes every channel', () => {
    let readies = 0;
    live.ready$.subscribe(() => readies++);
    live.status().subscribe();
    live.logs('everything').subscribe();
    sockets.last().accept();
    expect(readies).toBe(1);

    sockets.last().drop();
    expect(live.state()).toBe('reconnecting');
    vi.advanceTimersByTime(999);
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(2);

    // The gateway is still down: each failure waits twice as long, up to the cap.
    sockets.last().drop();
    vi.advanceTimersByTime(1_999);
    expect(sockets.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(3);
    sockets.last().drop();
    vi.advanceTimersByTime(4_000);
    sockets.last().drop();
    vi.advanceTimersByTime(8_000);
    sockets.last().drop();
    vi.advanceTimersByTime(8_000);
    expect(sockets.sockets).toHaveLength(6);

    const socket = sockets.last();
    socket.accept();
    expect(live.state()).toBe('open');
    expect(readies).toBe(2);
    expect(socket.sent).toEqual([
      { type: 'auth', token: 'session-token' },
      { type: 'subscribe', channel: 'status' },
      { type: 'subscribe', channel: 'logs:everything' },
    ]);

    // A successful connection resets the back-off.
    socket.drop();
    vi.advanceTimersByTime(1_000);
    expect(sockets.sockets).toHaveLength(7);
  });

  it('reconnects at once when asked, instead of waiting out the back-off', () => {
    live.status().subscribe();
    sockets.last().accept();
    sockets.last().drop();
    live.reconnectNow();
    expect(sockets.sockets).toHaveLength(2);
  });

  it('stops reconnecting once nobody listens', () => {
    const subscription = live.status().subscribe();
    sockets.last().accept();
    sockets.last().drop();
    subscription.unsubscribe();
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
    expect(live.state()).toBe('idle');
  });

  it('gives up on a refused token (4401) and tries again once the user signs in anew', () => {
    live.status().subscribe();
    const socket = sockets.last();
    socket.open();
    socket.drop(4401, 'a valid API key or session token is required');
    expect(live.state()).toBe('unauthorized');
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);

    live.metrics().subscribe();
    expect(sockets.sockets).toHaveLength(1);

    TestBed.inject(AuthService).login('the-api-key').subscribe();
    TestBed.inject(HttpTestingController)
      .expectOne('/api/auth/login')
      .flush(loginView({ token: 'new-token' }));
    live.logs('everything').subscribe();
    expect(sockets.sockets).toHaveLength(2);
    sockets.last().open();
    expect(sockets.last().sent[0]).toEqual({ type: 'auth', token: 'new-token' });
  });

  it('does not connect without a session', () => {
    TestBed.inject(AuthService).logout();
    live.status().subscribe();
    expect(sockets.sockets).toHaveLength(0);
    expect(live.state()).toBe('signed-out');
  });

  it('ignores frames that are not JSON', () => {
    const seen: unknown[] = [];
    live.status().subscribe((service) => seen.push(service));
    const socket = sockets.last();
    socket.accept();
    socket.onmessage?.(new MessageEvent('message', { data: 'not json' }));
    expect(seen).toEqual([]);
    expect(live.state()).toBe('open');
  });
});

describe('reconnectDelay', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [4, 16_000],
    [5, 30_000],
    [50, 30_000],
  ])('attempt %i waits %i ms', (attempt, expected) => {
    expect(reconnectDelay(attempt, { initialDelayMs: 1_000, maxDelayMs: 30_000 })).toBe(expected);
  });
});

describe('liveUrlFor', () => {
  it.each([
    [{ protocol: 'http:', host: '127.0.0.1:3437' }, 'ws://127.0.0.1:3437/ws'],
    [{ protocol: 'https:', host: 'proxy.example.com' }, 'wss://proxy.example.com/ws'],
    [null, 'ws://localhost/ws'],
  ])('%o → %s', (location, expected) => {
    expect(liveUrlFor(location)).toBe(expected);
  });
});
