/**
 * What changed between two definitions of a tool, in a form a person can review: the description word by word,
 * the schemas property by property (added, removed, changed: type, description, enum, required …), the
 * annotations key by key. Pure; the portal shows it beside Approve and Reject.
 */
import type { SchemaDiffView, SchemaFieldView, TextDiffSegment, ToolDefinitionView, ToolDiffView } from '@mcp-proxy/shared/dto';
import { canonicalJson } from '@mcp-proxy/mcp/protocol';

/** Past this many compared token pairs a text is shown as replaced whole (the comparison is quadratic). */
const MAX_TEXT_CELLS = 4_000_000;
/** Deeper schemas are compared as one value below this depth (a hostile server must not exhaust the stack). */
const MAX_SCHEMA_DEPTH = 32;
/** The root's own keywords (type, additionalProperties …) under this path. */
export const SCHEMA_ROOT = '(schema)';

type Field = Omit<SchemaFieldView, 'path'>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function diffTools(before: ToolDefinitionView | null, after: ToolDefinitionView | null): ToolDiffView {
  const title = changedText(before?.title, after?.title);
  const description = changedText(before?.description, after?.description);
  return {
    title,
    description: description ? { ...description, segments: diffWords(description.before ?? '', description.after ?? '') } : null,
    inputSchema: diffSchemas(before?.inputSchema, after?.inputSchema),
    outputSchema: diffSchemas(before?.outputSchema, after?.outputSchema),
    annotations: diffAnnotations(before?.annotations, after?.annotations),
  };
}

function changedText(before: string | undefined, after: string | undefined): { before: string | null; after: string | null } | null {
  return (before ?? null) === (after ?? null) ? null : { before: before ?? null, after: after ?? null };
}

/** Property by property; null when the two schemas are the same (absent and `{}` differ only if a field does). */
export function diffSchemas(before: unknown, after: unknown): SchemaDiffView | null {
  const old = flattenSchema(before);
  const now = flattenSchema(after);
  const diff: SchemaDiffView = { added: [], removed: [], changed: [] };
  for (const [path, field] of now) {
    const previous = old.get(path);
    if (!previous) diff.added.push({ path, ...field });
    else if (previous.required !== field.required || canonicalJson(previous.schema) !== canonicalJson(field.schema))
      diff.changed.push({ path, before: previous, after: field });
  }
  for (const [path, field] of old) if (!now.has(path)) diff.removed.push({ path, ...field });
  return diff.added.length + diff.removed.length + diff.changed.length === 0 ? null : diff;
}

/**
 * A JSON Schema as its properties at dotted paths (`options.limit`; array items as `tags[]`, their properties
 * `tags[].id`), each with its own keywords and whether its parent requires it. The root's own keywords are
 * `(schema)`. Combinators and references stay keywords of the property that has them.
 */
export function flattenSchema(schema: unknown): Map<string, Field> {
  const fields = new Map<string, Field>();
  if (!isObject(schema)) return fields;
  const visit = (node: Record<string, unknown>, path: string, required: boolean, depth: number): void => {
    const nested = depth < MAX_SCHEMA_DEPTH;
    const properties = nested && isObject(node['properties']) ? node['properties'] : null;
    const items = nested && isObject(node['items']) ? node['items'] : null;
    const own = Object.fromEntries(
      Object.entries(node).filter(([key]) => !(properties && (key === 'properties' || key === 'required')) && !(items && key === 'items')),
    );
    fields.set(path, { required, schema: own });
    if (properties) {
      const requiredNames = Array.isArray(node['required'])
        ? new Set(node['required'].filter((name) => typeof name === 'string'))
        : new Set();
      for (const [name, child] of Object.entries(properties)) {
        const childPath = path === SCHEMA_ROOT ? name : `${path}.${name}`;
        visit(isObject(child) ? child : { const: child }, childPath, requiredNames.has(name), depth + 1);
      }
    }
    if (items) visit(items, path === SCHEMA_ROOT ? '[]' : `${path}[]`, false, depth + 1);
  };
  visit(schema, SCHEMA_ROOT, false, 0);
  return fields;
}

function diffAnnotations(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): ToolDiffView['annotations'] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  return keys
    .map((key) => ({ key, before: before?.[key] ?? null, after: after?.[key] ?? null }))
    .filter(({ before: old, after: now }) => canonicalJson(old) !== canonicalJson(now));
}

/** Two texts compared word by word (whitespace kept), as stretches that stayed, went or came. */
export function diffWords(before: string, after: string): TextDiffSegment[] {
  const a = before.split(/(\s+)/).filter((token) => token !== '');
  const b = after.split(/(\s+)/).filter((token) => token !== '');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const segments: TextDiffSegment[] = [];
  const push = (op: TextDiffSegment['op'], text: string): void => {
    if (text === '') return;
    const last = segments[segments.length - 1];
    if (last?.op === op) last.text += text;
    else segments.push({ op, text });
  };
  push('same', a.slice(0, start).join(''));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_TEXT_CELLS) {
    push('removed', midA.join(''));
    push('added', midB.join(''));
  } else {
    for (const [op, token] of lcsEdits(midA, midB)) push(op, token);
  }
  push('same', a.slice(endA).join(''));
  return segments;
}

/** The edits from `a` to `b` along a longest common subsequence (removals before additions at each place). */
function lcsEdits(a: string[], b: string[]): [TextDiffSegment['op'], string][] {
  const width = b.length + 1;
  // lengths[i * width + j]: the LCS of a[i:] and b[j:].
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const edits: [TextDiffSegment['op'], string][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push(['same', a[i++]]);
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) edits.push(['removed', a[i++]]);
    else edits.push(['added', b[j++]]);
  }
  while (i < a.length) edits.push(['removed', a[i++]]);
  while (j < b.length) edits.push(['added', b[j++]]);
  return edits;
}
