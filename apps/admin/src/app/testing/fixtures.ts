import type { HealthView, LoginView, ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { TOKEN_STORAGE_KEY } from '../core/auth/auth.tokens';

/** A fixed "now" for tests: 2026-01-01T00:00:00Z. */
export const TEST_NOW = Date.parse('2026-01-01T00:00:00.000Z');

/** A mutable clock to provide as AUTH_CLOCK. */
export function createTestClock(start: number = TEST_NOW): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

export function loginView(overrides: Partial<LoginView> = {}): LoginView {
  return {
    token: 'header.payload.signature',
    expiresAt: new Date(TEST_NOW + 60 * 60 * 1000).toISOString(),
    ...overrides,
  };
}

/** Puts a session into sessionStorage the way AuthService stores it. */
export function seedSession(view: LoginView = loginView()): void {
  sessionStorage.setItem(TOKEN_STORAGE_KEY, JSON.stringify(view));
}

export function healthView(overrides: Partial<HealthView> = {}): HealthView {
  return {
    status: 'ok',
    version: '0.1.0',
    uptime: 125,
    services: { running: 1, total: 3 },
    ...overrides,
  };
}

export function serviceView(overrides: Partial<ServiceView> = {}): ServiceView {
  return {
    id: '7f0c2b9e-2f1e-4c1b-9a53-2f3f1f0b7a10',
    name: 'everything',
    status: 'running',
    pid: 4242,
    restarts: 0,
    startedAt: '2026-01-01T00:00:00.000Z',
    lastExitCode: null,
    statusReason: null,
    transport: 'stdio',
    proxy: { path: '/mcp/everything', rateLimit: 0, cache: false, toolResultTtlSec: 0, requestTimeoutSec: 60, responseMode: 'auto' },
    process: {
      command: 'npx',
      args: ['@modelcontextprotocol/server-everything'],
      cwd: null,
      autoRestart: true,
      maxRestarts: 5,
      port: null,
      isolation: 'shared',
      restartWindowSec: 300,
      healthCheckIntervalSec: 30,
      memoryLimitMb: null,
      maxSessions: 20,
      sessionIdleTimeoutSec: 900,
    },
    repository: null,
    environment: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Metrics of a running service; `proxy: null` leaves the proxy section out. */
export function metricsView(
  serviceId: string,
  process: Partial<ServiceMetricsView['process']> = {},
  proxy: Partial<NonNullable<ServiceMetricsView['proxy']>> | null = {},
): ServiceMetricsView {
  return {
    serviceId,
    serviceName: serviceId,
    process: {
      status: 'running',
      pid: 1,
      uptimeSec: 10,
      restarts: 0,
      rssBytes: 50 * 1024 * 1024,
      cpuPercent: 2,
      processCount: 1,
      sessions: null,
      sampledAt: '2026-01-01T00:00:00.000Z',
      ...process,
    },
    ...(proxy === null
      ? {}
      : {
          proxy: {
            requests: 100,
            errors: 5,
            errorRate: 0.05,
            requestsPerMinute: 12,
            byMethod: {},
            latencyMs: { p50: 3, p90: 8, p99: 20 },
            inflight: 0,
            sessions: 1,
            cache: { hits: 0, misses: 0, hitRate: null },
            ...proxy,
          },
        }),
  };
}
