/**
 * What of a tool is pinned and how it is fingerprinted: the fields that tell a model what a tool does and how to
 * call it (name, title, description, input and output schema, annotations), as canonical JSON (keys sorted at
 * every level, so the order a server writes them in does not matter), hashed with SHA-256. Anything else a
 * server lists (icons, `_meta`) may change freely.
 */
import type { ToolDefinitionView } from '@mcp-proxy/shared/dto';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@mcp-proxy/mcp/protocol';

/** A listed tool with what pinning keeps of it. */
export interface ListedTool {
  name: string;
  fingerprint: string;
  definition: ToolDefinitionView;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The pinned fields of a listed tool; null for an entry without a name (not a tool anyone can call). */
export function pinnedDefinition(tool: unknown): ToolDefinitionView | null {
  if (!isObject(tool) || typeof tool['name'] !== 'string') return null;
  const definition: ToolDefinitionView = { name: tool['name'] };
  if (typeof tool['title'] === 'string') definition.title = tool['title'];
  if (typeof tool['description'] === 'string') definition.description = tool['description'];
  if (isObject(tool['inputSchema'])) definition.inputSchema = tool['inputSchema'];
  if (isObject(tool['outputSchema'])) definition.outputSchema = tool['outputSchema'];
  if (isObject(tool['annotations'])) definition.annotations = tool['annotations'];
  return definition;
}

export function fingerprintOf(definition: ToolDefinitionView): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** Every named tool of a `tools/list` page, fingerprinted (a name listed twice counts once, the first time). */
export function listedTools(tools: readonly unknown[]): ListedTool[] {
  const seen = new Set<string>();
  const listed: ListedTool[] = [];
  for (const tool of tools) {
    const definition = pinnedDefinition(tool);
    if (!definition || seen.has(definition.name)) continue;
    seen.add(definition.name);
    listed.push({ name: definition.name, fingerprint: fingerprintOf(definition), definition });
  }
  return listed;
}

/** One hash for a whole set of tools (name and fingerprint of each, in name order): what a deploy approval holds for. */
export function toolSetHash(tools: readonly { name: string; fingerprint: string }[]): string {
  const pairs = tools.map((tool) => [tool.name, tool.fingerprint]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}
