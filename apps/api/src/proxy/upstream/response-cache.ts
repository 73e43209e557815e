import { MCP_METHODS } from '@mcp-proxy/mcp/protocol';

const LIST_METHODS = new Set<string>([
  MCP_METHODS.TOOLS_LIST,
  MCP_METHODS.PROMPTS_LIST,
  MCP_METHODS.RESOURCES_LIST,
  MCP_METHODS.RESOURCES_TEMPLATES_LIST,
]);

/** Which cached entries a `list_changed` notification makes stale (tool results go with their tools). */
const INVALIDATES: Record<string, string[]> = {
  [MCP_METHODS.TOOLS_LIST_CHANGED]: [MCP_METHODS.TOOLS_LIST, MCP_METHODS.TOOLS_CALL],
  [MCP_METHODS.PROMPTS_LIST_CHANGED]: [MCP_METHODS.PROMPTS_LIST],
  [MCP_METHODS.RESOURCES_LIST_CHANGED]: [MCP_METHODS.RESOURCES_LIST, MCP_METHODS.RESOURCES_TEMPLATES_LIST],
};

interface Entry {
  result: unknown;
  expiresAt: number;
}

const SEPARATOR = '\u0000';

/**
 * Answers of one child generation that are the same for every client of a shared child: list
 * results (kept until `list_changed` or restart; a 2026-07-28 `ttlMs` shortens that) and, when the
 * service opts in, results of tools the server marks `readOnlyHint`, for a fixed time.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly readOnlyTools = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  static isListMethod(method: string): boolean {
    return LIST_METHODS.has(method);
  }

  listKey(method: string, params: unknown): string {
    const cursor = (params as { cursor?: unknown } | undefined)?.cursor;
    return cursor === undefined ? method : `${method}${SEPARATOR}${String(cursor)}`;
  }

  /** A key for a read-only tool's call, or null when the tool is not known to be read-only. */
  toolKey(params: unknown): string | null {
    const { name, arguments: args } = (params ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || !this.readOnlyTools.has(name)) return null;
    return `${MCP_METHODS.TOOLS_CALL}${SEPARATOR}${name}${SEPARATOR}${JSON.stringify(args ?? {})}`;
  }

  /** Remembers which tools are read-only, from any `tools/list` result that passes by. */
  learnTools(result: unknown): void {
    for (const tool of (result as { tools?: { name?: unknown; annotations?: { readOnlyHint?: unknown } }[] } | null)?.tools ?? []) {
      if (typeof tool.name !== 'string') continue;
      if (tool.annotations?.readOnlyHint === true) this.readOnlyTools.add(tool.name);
      else this.readOnlyTools.delete(tool.name);
    }
  }

  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.result;
    if (entry) this.entries.delete(key);
    return undefined;
  }

  /** Keeps a result for `ttlMs`, or (lists) for as long as the result's own `ttlMs` allows, else until invalidated. */
  set(key: string, result: unknown, ttlMs?: number): void {
    const own = (result as { ttlMs?: unknown } | null)?.ttlMs;
    const ttl = ttlMs ?? (typeof own === 'number' && own >= 0 ? own : Infinity);
    if (ttl > 0) this.entries.set(key, { result, expiresAt: this.now() + ttl });
  }

  invalidate(notificationMethod: string): void {
    for (const method of INVALIDATES[notificationMethod] ?? []) {
      for (const key of this.entries.keys()) if (key === method || key.startsWith(`${method}${SEPARATOR}`)) this.entries.delete(key);
    }
  }
}
