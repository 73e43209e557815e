import { SearchableTool, ToolSearchIndex } from './tool-search-index';

export const SEARCH_TOOLS = 'search_tools';
export const CALL_TOOL = 'call_tool';
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

/** What `tools/list` shows on a group with tool search on: these two instead of hundreds. */
export const TOOL_SEARCH_TOOLS = [
  {
    name: SEARCH_TOOLS,
    title: 'Search tools',
    description:
      'Finds tools of this group by words of their names and descriptions (best first), with their input schemas. Run one with call_tool.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words describing what the tool should do' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: `Most tools to return (default ${DEFAULT_LIMIT})` },
      },
      required: ['query'],
    },
  },
  {
    name: CALL_TOOL,
    title: 'Call a tool',
    description: 'Runs a tool found with search_tools, by its name, with its arguments.',
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool name search_tools returned' },
        arguments: { type: 'object', description: "The tool's arguments, as its input schema describes them" },
      },
      required: ['name'],
    },
  },
];

export type SearchArguments = { ok: true; query: string; limit: number } | { ok: false; message: string };

export function searchArguments(args: unknown): SearchArguments {
  const { query, limit } = (args ?? {}) as { query?: unknown; limit?: unknown };
  if (typeof query !== 'string' || query.trim() === '')
    return { ok: false, message: 'search_tools needs arguments.query: words to look for' };
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
    return { ok: false, message: `search_tools: arguments.limit must be a whole number from 1 to ${MAX_LIMIT}` };
  }
  return { ok: true, query, limit: limit ?? DEFAULT_LIMIT };
}

/**
 * The tool a `tools/call` will run, for the caller's allow-list: on a group with tool search, `call_tool`
 * runs the tool it names and `search_tools` runs none (its results are filtered by the list instead, so
 * it needs no entry of its own). Null when no tool of the list is involved; a malformed `call_tool`
 * gets its own argument error later.
 */
export function toolToCheck(params: unknown, toolSearch: boolean): { name: unknown } | null {
  const { name, arguments: args } = (params ?? {}) as { name?: unknown; arguments?: unknown };
  if (!toolSearch || (name !== SEARCH_TOOLS && name !== CALL_TOOL)) return { name };
  if (name === SEARCH_TOOLS) return null;
  const inner = (args as { name?: unknown } | null | undefined)?.name;
  return typeof inner === 'string' && inner !== SEARCH_TOOLS && inner !== CALL_TOOL ? { name: inner } : null;
}

export type CallArguments = { ok: true; name: string; arguments: Record<string, unknown> } | { ok: false; message: string };

export function callArguments(args: unknown): CallArguments {
  const { name, arguments: inner } = (args ?? {}) as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string' || name === '')
    return { ok: false, message: 'call_tool needs arguments.name: a tool name from search_tools' };
  if (name === SEARCH_TOOLS || name === CALL_TOOL) return { ok: false, message: `call_tool cannot call ${name}` };
  if (inner !== undefined && (typeof inner !== 'object' || inner === null || Array.isArray(inner))) {
    return { ok: false, message: 'call_tool: arguments.arguments must be an object' };
  }
  return { ok: true, name, arguments: (inner ?? {}) as Record<string, unknown> };
}

/**
 * The group's search index, rebuilt only when the merged tool list changed (a member added, removed,
 * restarted with other tools, or a filter changed), so a search costs one list merge plus the ranking.
 */
export class ToolSearch {
  private index = new ToolSearchIndex([]);
  private fingerprint = '';

  constructor(private readonly listTools: () => Promise<unknown[]>) {}

  /** `allowed`: the caller's tool allow-list, so a search finds only what the caller could call. */
  async search(query: string, limit: number, allowed?: (name: string) => boolean): Promise<SearchableTool[]> {
    const tools = (await this.listTools()) as SearchableTool[];
    const fingerprint = JSON.stringify(tools.map((tool) => [tool.name, tool.description ?? '', tool.inputSchema ?? null]));
    if (fingerprint !== this.fingerprint) {
      this.index = new ToolSearchIndex(tools);
      this.fingerprint = fingerprint;
    }
    return this.index
      .search(query, limit, allowed)
      .map(({ tool }) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
  }
}

/** A `tools/call` result: the found tools as JSON text (for any client) and as structured content. */
export function searchResult(tools: SearchableTool[]): Record<string, unknown> {
  return { content: [{ type: 'text', text: JSON.stringify({ tools }) }], structuredContent: { tools } };
}
