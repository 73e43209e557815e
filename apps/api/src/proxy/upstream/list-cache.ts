import { MCP_METHODS } from '@mcp-proxy/mcp/protocol';

const CACHEABLE = new Set<string>([
  MCP_METHODS.TOOLS_LIST,
  MCP_METHODS.PROMPTS_LIST,
  MCP_METHODS.RESOURCES_LIST,
  MCP_METHODS.RESOURCES_TEMPLATES_LIST,
]);

/** Which cached lists a `list_changed` notification makes stale. */
const INVALIDATES: Record<string, string[]> = {
  [MCP_METHODS.TOOLS_LIST_CHANGED]: [MCP_METHODS.TOOLS_LIST],
  [MCP_METHODS.PROMPTS_LIST_CHANGED]: [MCP_METHODS.PROMPTS_LIST],
  [MCP_METHODS.RESOURCES_LIST_CHANGED]: [MCP_METHODS.RESOURCES_LIST, MCP_METHODS.RESOURCES_TEMPLATES_LIST],
};

interface Entry {
  result: unknown;
  expiresAt: number;
}

/**
 * The list results of one child generation, shared by every session: lists are the same for all
 * clients of a shared child. Kept until `list_changed` or restart; a 2026-07-28 `ttlMs` shortens that.
 */
export class ListCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly now: () => number = Date.now) {}

  static isCacheable(method: string): boolean {
    return CACHEABLE.has(method);
  }

  key(method: string, params: unknown): string {
    const cursor = (params as { cursor?: unknown } | undefined)?.cursor;
    return cursor === undefined ? method : `${method}\u0000${String(cursor)}`;
  }

  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.hits++;
      return entry.result;
    }
    if (entry) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  set(key: string, result: unknown): void {
    const ttl = (result as { ttlMs?: unknown } | null)?.ttlMs;
    const expiresAt = typeof ttl === 'number' && ttl >= 0 ? this.now() + ttl : Infinity;
    if (expiresAt > this.now()) this.entries.set(key, { result, expiresAt });
  }

  invalidate(notificationMethod: string): void {
    for (const method of INVALIDATES[notificationMethod] ?? []) {
      for (const key of this.entries.keys()) if (key === method || key.startsWith(`${method}\u0000`)) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
