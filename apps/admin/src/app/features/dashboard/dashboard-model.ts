import type { ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';

/** One service on the dashboard: its view and the latest metrics known (null until fetched). */
export interface DashboardRow {
  service: ServiceView;
  metrics: ServiceMetricsView | null;
}

export interface DashboardTotals {
  total: number;
  running: number;
  /** Sum over services of requests in the last minute. */
  requestsPerMinute: number;
  requests: number;
  errors: number;
  /** errors / requests over every service, null before the first request. */
  errorRate: number | null;
  /** Resident memory of every running service's process tree; null when none reported. */
  rssBytes: number | null;
  /** CPU of every running service, in % of one core; null when none reported. */
  cpuPercent: number | null;
}

export function dashboardTotals(rows: readonly DashboardRow[]): DashboardTotals {
  let requestsPerMinute = 0;
  let requests = 0;
  let errors = 0;
  let rssBytes: number | null = null;
  let cpuPercent: number | null = null;
  for (const { service, metrics } of rows) {
    if (metrics?.proxy) {
      requestsPerMinute += metrics.proxy.requestsPerMinute;
      requests += metrics.proxy.requests;
      errors += metrics.proxy.errors;
    }
    if (service.status === 'running' && metrics) {
      if (metrics.process.rssBytes !== null) rssBytes = (rssBytes ?? 0) + metrics.process.rssBytes;
      if (metrics.process.cpuPercent !== null) cpuPercent = (cpuPercent ?? 0) + metrics.process.cpuPercent;
    }
  }
  return {
    total: rows.length,
    running: rows.filter((row) => row.service.status === 'running').length,
    requestsPerMinute,
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    rssBytes,
    cpuPercent,
  };
}

export type DashboardEventKind = 'crashed' | 'failed' | 'restarting' | 'running' | 'stopped';

/** The supervisor's reason for a restart someone asked for (the API's RESTART_REQUESTED_REASON). */
const RESTART_REQUESTED = 'restart requested';

export interface DashboardEvent {
  /** The server's event id, or `live-<n>` for one seen on the live channel since the page opened. */
  id: string;
  at: string;
  service: string;
  kind: DashboardEventKind;
  message: string;
}

/** The most events shown; older ones drop off (the server keeps more: GET /api/events pages back). */
export const MAX_DASHBOARD_EVENTS = 50;

/**
 * What a status change means for a person watching the dashboard: crashes, failures and restarts
 * first of all; also services coming up or going down. `starting` alone is not news. Worded as the
 * server words the events it keeps (GET /api/events), so a reload reads the same.
 */
export function eventFor(previous: ServiceView | undefined, next: ServiceView): Omit<DashboardEvent, 'id' | 'at'> | null {
  if (previous && previous.status === next.status && previous.restarts === next.restarts) return null;
  const reason = next.statusReason ? `: ${firstLine(next.statusReason)}` : '';
  switch (next.status) {
    case 'crashed':
      return {
        service: next.name,
        kind: 'crashed',
        message: `crashed after ${next.restarts} restart${next.restarts === 1 ? '' : 's'}${reason}`,
      };
    case 'failed':
      return { service: next.name, kind: 'failed', message: `failed to start${reason}` };
    case 'restarting':
      return next.statusReason === RESTART_REQUESTED
        ? { service: next.name, kind: 'restarting', message: 'restarting on request' }
        : {
            service: next.name,
            kind: 'restarting',
            message: `restarting on its own after an unexpected exit (automatic restart ${next.restarts})${reason}`,
          };
    case 'running':
      return { service: next.name, kind: 'running', message: `running${next.pid ? `, pid ${next.pid}` : ''}` };
    case 'stopped':
      return { service: next.name, kind: 'stopped', message: next.statusReason ? `stopped: ${firstLine(next.statusReason)}` : 'stopped' };
    default:
      return null;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
