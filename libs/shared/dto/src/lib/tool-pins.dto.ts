import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DriftPolicy } from './service.enums';

/**
 * Tool pinning: the proxy remembers (pins) each tool a service exposes, by a fingerprint of what steers a model
 * (name, title, description, input and output schema, annotations), and treats a different definition as a change
 * to review. These are the views of the pins, of the changes and of their differences.
 */

/** `added`: a tool that was not pinned; `changed`: a pinned tool with another definition; `removed`: a pinned tool no longer listed. */
export const TOOL_CHANGE_KINDS = ['added', 'changed', 'removed'] as const;
export type ToolChangeKind = (typeof TOOL_CHANGE_KINDS)[number];

/** `superseded`: the server moved on (another definition, or back to the pinned one) before anyone decided. */
export const TOOL_CHANGE_STATUSES = ['pending', 'approved', 'rejected', 'superseded'] as const;
export type ToolChangeStatus = (typeof TOOL_CHANGE_STATUSES)[number];

/** The fields of a tool that are pinned, as the server listed them. */
export interface ToolDefinitionView {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** One stretch of a text compared word by word. */
export interface TextDiffSegment {
  op: 'same' | 'added' | 'removed';
  text: string;
}

/** A property of a schema, at its dotted path (`options.limit`, `items[].id`; `(schema)` for the root's own keywords). */
export interface SchemaFieldView {
  path: string;
  required: boolean;
  /** The property's own keywords (type, description, enum, …), without its nested properties. */
  schema: Record<string, unknown>;
}

export interface SchemaFieldChangeView {
  path: string;
  before: Omit<SchemaFieldView, 'path'>;
  after: Omit<SchemaFieldView, 'path'>;
}

export interface SchemaDiffView {
  added: SchemaFieldView[];
  removed: SchemaFieldView[];
  changed: SchemaFieldChangeView[];
}

/** What differs between two definitions of a tool; a null part did not change. */
export interface ToolDiffView {
  title: { before: string | null; after: string | null } | null;
  description: { before: string | null; after: string | null; segments: TextDiffSegment[] } | null;
  inputSchema: SchemaDiffView | null;
  outputSchema: SchemaDiffView | null;
  /** Annotation keys whose value differs (absent: null). */
  annotations: { key: string; before: unknown; after: unknown }[];
}

/** A tool's change: the pinned definition (null: none), the one listed now (null: removed) and their difference. */
export interface ToolDriftChangeView {
  tool: string;
  kind: ToolChangeKind;
  previous: ToolDefinitionView | null;
  current: ToolDefinitionView | null;
  diff: ToolDiffView;
}

/** A recorded change of a service's tools, waiting for a decision or decided. */
export interface ToolChangeView extends ToolDriftChangeView {
  id: string;
  serviceId: string;
  serviceName: string;
  status: ToolChangeStatus;
  /** The service's drift policy when the change was seen. */
  policy: DriftPolicy;
  /** Seen on the candidate of this deployment (recorded after a `warn` deploy), else null (seen while serving). */
  deploymentId: string | null;
  previousFingerprint: string | null;
  fingerprint: string | null;
  detectedAt: string;
  decidedAt: string | null;
  /** Who approved or rejected it. */
  decidedBy: string | null;
}

/** A pinned tool: the definition the proxy serves without asking. */
export interface PinnedToolView {
  name: string;
  fingerprint: string;
  pinnedAt: string;
  /** Who approved this definition; null when it was pinned the first time the service's tools were seen. */
  approvedBy: string | null;
  definition: ToolDefinitionView;
}

/** `GET /api/services/:id/tool-pins`. */
export interface ServiceToolPinsView {
  serviceId: string;
  serviceName: string;
  driftPolicy: DriftPolicy;
  pinned: PinnedToolView[];
  /** Changes waiting for a decision (pending), newest first. */
  pending: ToolChangeView[];
}

/** What a deployment's candidate lists against the pinned tools. */
export interface DeploymentToolDriftView {
  policy: Exclude<DriftPolicy, 'off'>;
  /**
   * `awaiting-approval`: the candidate waits (policy `block`); `approved`: promoted or being promoted; `rejected`:
   * discarded; `recorded`: promoted under `warn`, the changes recorded for review.
   */
  state: 'awaiting-approval' | 'approved' | 'rejected' | 'recorded';
  /** SHA-256 over the candidate's tool fingerprints: an approval holds for exactly this set of tools. */
  candidateHash: string;
  changes: ToolDriftChangeView[];
  decidedBy: string | null;
  decidedAt: string | null;
}

export const TOOL_CHANGES_PAGE_MAX = 200;

/** `GET /api/tool-changes` and `GET /api/services/:id/tool-changes` filters. */
export class ToolChangesQueryDto {
  /** Default `pending`; `all` for every status. */
  @IsOptional()
  @IsIn([...TOOL_CHANGE_STATUSES, 'all'], { message: `status must be one of ${[...TOOL_CHANGE_STATUSES, 'all'].join(', ')}` })
  status?: ToolChangeStatus | 'all';

  /** A service's id or name (only on `GET /api/tool-changes`). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  service?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(TOOL_CHANGES_PAGE_MAX)
  limit?: number;
}
