import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `ok`: done; `refused`: not allowed (401/403, a tool outside a grant); `failed`: allowed but it went wrong. */
export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const AUDIT_PAGE_MAX = 500;

/** One line of the audit log: who did what, when, from where, and how it ended. */
export interface AuditEventView {
  id: string;
  at: string;
  /** Who acted (`admin`, a user name, a token label); null when nobody could be identified. */
  actor: string | null;
  /** `admin`, `session`, `user`, `client`, or `anonymous`. */
  actorKind: string;
  /** Who acted, for people: `admin (portal)`, `admin (API key)`, a user's name, a token's label. */
  actorName: string;
  /** e.g. `auth.login`, `secret.reveal`, `POST /api/services/:id/start`. */
  action: string;
  outcome: AuditOutcome;
  /** What was acted on, as the route named it (an id, mostly). */
  target: string | null;
  /** The target's current name (a service's, a user's, a token's label); the id itself when unknown or deleted. */
  targetName: string | null;
  /** `service`, `group`, `user`, `client token`, `OAuth client`, or null when the target is not one of those. */
  targetKind: string | null;
  address: string | null;
  /** Extra facts (status code, fields changed, tool name); never a secret value. */
  detail: Record<string, unknown> | null;
}

export interface AuditPageView {
  items: AuditEventView[];
  /** How many events match the filter in all. */
  total: number;
}

/** `GET /api/audit` filters; every one optional, combined with AND. */
export class AuditQueryDto {
  /** Exact actor (a user name, `admin`, a token label). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  /** Part of the action, case-insensitive (`service` finds every service action). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  /** Exact target (a service id or name, a client id …). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target?: string;

  /** ISO 8601; events at or after. */
  @IsOptional()
  @IsISO8601()
  since?: string;

  /** ISO 8601; events before. */
  @IsOptional()
  @IsISO8601()
  until?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

/** `GET /api/audit/export`: the same filters, every matching event (no paging). */
export class AuditExportQueryDto extends AuditQueryDto {
  @IsOptional()
  @IsIn(AUDIT_EXPORT_FORMATS)
  format?: AuditExportFormat;
}
