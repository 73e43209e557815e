import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { SchemaDiffView, ToolDriftChangeView } from '@mcp-proxy/shared/dto';

/** One line of a schema's difference, as the table shows it. */
interface SchemaRow {
  op: 'added' | 'removed' | 'changed';
  path: string;
  before: string | null;
  after: string | null;
}

const KIND_LABELS: Record<ToolDriftChangeView['kind'], string> = {
  added: 'new tool',
  changed: 'changed',
  removed: 'removed',
};

/** A schema field as one readable line: `string, required, "what to look for"`. */
export function describeField(field: { required: boolean; schema: Record<string, unknown> }): string {
  const { type, description, ...rest } = field.schema;
  const parts: string[] = [];
  if (type !== undefined) parts.push(Array.isArray(type) ? type.join(' | ') : String(type));
  if (field.required) parts.push('required');
  if (typeof description === 'string') parts.push(JSON.stringify(description));
  const others = Object.keys(rest).length > 0 ? JSON.stringify(rest) : '';
  if (others) parts.push(others);
  return parts.join(', ') || '(any)';
}

export function schemaRows(diff: SchemaDiffView | null): SchemaRow[] {
  if (!diff) return [];
  return [
    ...diff.added.map((field): SchemaRow => ({ op: 'added', path: field.path, before: null, after: describeField(field) })),
    ...diff.removed.map((field): SchemaRow => ({ op: 'removed', path: field.path, before: describeField(field), after: null })),
    ...diff.changed.map(
      (field): SchemaRow => ({ op: 'changed', path: field.path, before: describeField(field.before), after: describeField(field.after) }),
    ),
  ];
}

/**
 * What changed in a tool, readable: the description word by word (added words marked, removed ones struck), the
 * input and output schemas property by property, the annotations key by key. Presentational only: the service's
 * Tool pinning tab and a waiting deployment show it beside their Approve and Reject.
 */
@Component({
  selector: 'mcp-tool-diff',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './tool-diff.component.html',
  styleUrl: './tool-diff.component.scss',
})
export class ToolDiffComponent {
  readonly change = input.required<ToolDriftChangeView>();

  protected readonly kindLabel = computed(() => KIND_LABELS[this.change().kind]);
  protected readonly schemas = computed(() => [
    { label: 'Input schema', rows: schemaRows(this.change().diff.inputSchema) },
    { label: 'Output schema', rows: schemaRows(this.change().diff.outputSchema) },
  ]);
  protected readonly json = (value: unknown): string => (value === null || value === undefined ? '—' : JSON.stringify(value));
}
