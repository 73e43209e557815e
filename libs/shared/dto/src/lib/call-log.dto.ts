import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/**
 * How a recorded MCP call ended: `ok`; `tool_error` (the tool answered with `isError`); `error` (a JSON-RPC
 * error, its code in `errorCode`); `timeout` (no answer within the service's request timeout); `cancelled`
 * (the client cancelled it or went away first).
 */
export const CALL_OUTCOMES = ['ok', 'tool_error', 'error', 'timeout', 'cancelled'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** The methods the call log records. */
export const CALL_METHODS = ['tools/call', 'resources/read', 'prompts/get'] as const;
export type CallMethod = (typeof CALL_METHODS)[number];

export const CALL_EXPORT_FORMATS = ['json', 'csv'] as const;
export type CallExportFormat = (typeof CALL_EXPORT_FORMATS)[number];

export const CALL_PAGE_MAX = 500;
export const CALL_EXPORT_MAX = 10_000;

/** One recorded MCP call. Arguments and results are never part of it: only a hash of the arguments. */
export interface CallLogView {
  id: string;
  /** When the call ended (ISO 8601). */
  at: string;
  /** The proxy instance that served it. */
  instance: string;
  /** `admin`, `session`, `user` or `client`. */
  principalKind: string;
  principalId: string;
  /** A user name, a client token's label, an OAuth client's name; null when there is none. */
  principalLabel: string | null;
  /** `clientInfo` from the client's `initialize`, when the session had one. */
  clientName: string | null;
  clientVersion: string | null;
  /** The endpoint the client called: a service, or a group (`/mcp` included). */
  endpoint: string;
  /** The service that served the call (a group's member); the endpoint's own when no member was reached. */
  serviceId: string;
  serviceName: string;
  method: CallMethod;
  /** The tool or prompt name, or the resource URI, as the client sent it (a group's exposed name). */
  tool: string | null;
  /** The name (or URI) at the member service, when a group renamed it; null otherwise. */
  originalTool: string | null;
  durationMs: number;
  outcome: CallOutcome;
  /** The JSON-RPC error code of an `error` or `timeout`. */
  errorCode: number | null;
  /** Approximate sizes of the request and the answer (the answer's is null when the upstream did not give it). */
  requestBytes: number;
  responseBytes: number | null;
  /** SHA-256 (hex) of the canonical JSON of the arguments; null when the call had none. */
  argumentsSha256: string | null;
}

/** One call with what was stored of its payloads (`GET /api/calls/:id`). */
export interface CallLogDetailView extends CallLogView {
  /** The arguments as JSON, redacted and cut; null unless the service stores payloads (`callLog.payloads`). */
  arguments: string | null;
  /** The answer's `result` (or its `error`) as JSON, redacted and cut; null unless the service stores payloads. */
  result: string | null;
}

export interface CallLogPageView {
  items: CallLogView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** `GET /api/calls` filters; every one optional, combined with AND. */
export class CallLogQueryDto {
  /** A service's id or name (a group's member, for calls through a group). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  /** Exact tool or prompt name or resource URI, the exposed or the original one. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  tool?: string;

  /** Exact principal id (`admin`, `user:…`, `client:…`) or label (a user name, a token label). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  principal?: string;

  @IsOptional()
  @IsIn(CALL_OUTCOMES)
  outcome?: CallOutcome;

  /** ISO 8601; calls at or after. */
  @IsOptional()
  @IsISO8601()
  from?: string;

  /** ISO 8601; calls before. */
  @IsOptional()
  @IsISO8601()
  to?: string;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  /** 1–500 (`CALL_PAGE_MAX`); with `format`, up to 10,000 (`CALL_EXPORT_MAX`). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CALL_EXPORT_MAX)
  limit?: number;

  /** `csv` or `json`: the page as a download (the same filters, cursor and limit; `X-Next-Cursor` when there is more). Without it: the page view. */
  @IsOptional()
  @IsIn(CALL_EXPORT_FORMATS)
  format?: CallExportFormat;
}

export const CALL_STATS_RANGES = ['hour', 'day', 'month'] as const;
export type CallStatsRange = (typeof CALL_STATS_RANGES)[number];

/** `GET /api/calls/stats`: per-tool figures over the last hour, day (24 h) or month (30 days). */
export class CallStatsQueryDto {
  /** A service's id or name; every service the caller may see when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  /** Default `day`. */
  @IsOptional()
  @IsIn(CALL_STATS_RANGES)
  range?: CallStatsRange;
}

export interface CallClientCount {
  /** The client's name from `initialize`, else the principal's label or id. */
  client: string;
  calls: number;
}

/** One tool (prompt, resource) of one service over the range; a group's calls count under the member and its own name. */
export interface CallToolStatsView {
  serviceId: string;
  serviceName: string;
  method: CallMethod;
  tool: string | null;
  calls: number;
  /** Calls that ended `tool_error`, `error` or `timeout` (a cancelled call is the client's choice, not an error). */
  errors: number;
  /** errors / calls, 0 to 1. */
  errorRate: number;
  /** Nearest-rank percentiles of `durationMs`. */
  p50Ms: number;
  p95Ms: number;
  /** The three clients that called it most. */
  topClients: CallClientCount[];
}

export interface CallStatsView {
  range: CallStatsRange;
  /** ISO 8601: the window is [from, to). */
  from: string;
  to: string;
  /** Busiest first; at most 200. */
  tools: CallToolStatsView[];
}
