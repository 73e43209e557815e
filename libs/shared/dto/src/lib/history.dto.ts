/**
 * What the gateway remembers between page loads: service events (`GET /api/events`), metrics history
 * (`GET /api/metrics/history`) and the proxy's own recent log (`GET /api/logs/proxy`).
 */
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { ServiceStatus } from './service.enums';

export const SERVICE_EVENT_KINDS = ['crashed', 'failed', 'restarting', 'running', 'stopped'] as const;
export type ServiceEventKind = (typeof SERVICE_EVENT_KINDS)[number];

/** The supervisor's status reason for a restart someone asked for (the API, the portal, a deploy). */
export const RESTART_REQUESTED_REASON = 'restart requested';

export interface ServiceEventView {
  id: string;
  /** ISO 8601. */
  at: string;
  serviceId: string;
  serviceName: string;
  kind: ServiceEventKind;
  message: string;
}

export interface ServiceEventPageView {
  items: ServiceEventView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const EVENT_PAGE_MAX = 200;

/** `GET /api/events`: newest first. */
export class ServiceEventQueryDto {
  /** A service's id or name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  /** 1–200, default 50. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENT_PAGE_MAX)
  limit?: number;
}

/** The part of a service view an event is made from. */
export interface ServiceStatusFacts {
  name: string;
  status: ServiceStatus;
  restarts: number;
  pid?: number | null;
  statusReason?: string | null;
}

/**
 * What a status change means for a person: crashes, failures and restarts first of all, also services
 * coming up or going down (`starting` alone is not news). A restart someone asked for is said so, not
 * called automatic.
 */
export function serviceEventFor(
  previous: Pick<ServiceStatusFacts, 'status' | 'restarts'> | undefined,
  next: ServiceStatusFacts,
): { kind: ServiceEventKind; message: string } | null {
  if (previous && previous.status === next.status && previous.restarts === next.restarts) return null;
  const reason = next.statusReason ? `: ${firstLine(next.statusReason)}` : '';
  switch (next.status) {
    case 'crashed':
      return { kind: 'crashed', message: `crashed after ${next.restarts} restart${next.restarts === 1 ? '' : 's'}${reason}` };
    case 'failed':
      return { kind: 'failed', message: `failed to start${reason}` };
    case 'restarting':
      return next.statusReason === RESTART_REQUESTED_REASON
        ? { kind: 'restarting', message: 'restarting on request' }
        : { kind: 'restarting', message: `restarting on its own after an unexpected exit (automatic restart ${next.restarts})${reason}` };
    case 'running':
      return { kind: 'running', message: `running${next.pid ? `, pid ${next.pid}` : ''}` };
    case 'stopped':
      return { kind: 'stopped', message: next.statusReason ? `stopped: ${firstLine(next.statusReason)}` : 'stopped' };
    case 'starting':
    case 'deploying':
      return null;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export const METRICS_HISTORY_RANGES = ['hour', 'day', 'month'] as const;
export type MetricsHistoryRange = (typeof METRICS_HISTORY_RANGES)[number];

/** `GET /api/metrics/history`. */
export class MetricsHistoryQueryDto {
  /** A service's id or name; every service the caller may see when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  /** hour (1-minute points), day (5-minute points) or month (1-hour points); default hour. */
  @IsOptional()
  @IsIn(METRICS_HISTORY_RANGES)
  range?: MetricsHistoryRange;
}

/** One step of one service, summed over every instance. */
export interface MetricsHistoryPointView {
  /** Start of the step, ISO 8601. */
  at: string;
  calls: number;
  /** JSON-RPC errors and tool results with `isError: true`. */
  errors: number;
  /** Latency percentiles in ms, null without calls. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Mean CPU of the service's processes in % of one core, null without a sample. */
  cpuPercent: number | null;
  /** Mean resident memory, null without a sample. */
  rssBytes: number | null;
}

export interface MetricsHistorySeriesView {
  serviceId: string;
  serviceName: string;
  /** Oldest first; steps with nothing recorded are left out. */
  points: MetricsHistoryPointView[];
}

export interface MetricsHistoryView {
  range: MetricsHistoryRange;
  stepSeconds: number;
  /** ISO 8601: the range covered, from … to now. */
  from: string;
  to: string;
  services: MetricsHistorySeriesView[];
}

export interface ProxyLogLineView {
  /** ISO 8601. */
  at: string;
  level: string;
  /** The message with its context fields, secrets masked. */
  text: string;
}

export interface ProxyLogView {
  lines: ProxyLogLineView[];
  /** How many lines the ring holds at most. */
  capacity: number;
}

/** `GET /api/logs/proxy`. */
export class ProxyLogQueryDto {
  /** 1–2000, default 500: the newest lines. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2000)
  tail?: number;
}
