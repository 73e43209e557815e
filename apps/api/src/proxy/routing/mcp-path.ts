/**
 * Where a request under /mcp wants to go. `rest` is what follows `/mcp/<service>` (path and query):
 * what an `http` service, reverse-proxied, receives.
 */
export type McpEndpoint =
  | { kind: 'streamable'; service: string; rest: string }
  | { kind: 'legacy-sse'; service: string; rest: string }
  | { kind: 'legacy-messages'; service: string; sessionId: string | null; rest: string }
  | { kind: 'other'; service: string; rest: string }
  | { kind: 'websocket'; service: string | null };

/**
 * Parses `/mcp/<service>`, `/mcp/<service>/sse`, `/mcp/<service>/messages?sessionId=…`,
 * `/mcp/ws?service=…`, and any other path under a service (`other`, for `http` services).
 * Returns null for anything that names no service.
 */
export function parseMcpPath(url: string): McpEndpoint | null {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const parts = path.split('/');
  // ['', 'mcp', service, ...suffix]
  if (parts[1] !== 'mcp' || parts.length < 3) return null;
  const service = safeDecode(parts[2]);
  if (!service) return null;
  const rest = url.slice(`/mcp/${parts[2]}`.length);
  const suffix = parts.slice(3).join('/').replace(/\/$/, '');
  if (service === 'ws' && suffix === '') return { kind: 'websocket', service: queryParam(query, 'service') };
  if (suffix === '') return { kind: 'streamable', service, rest };
  if (suffix === 'sse') return { kind: 'legacy-sse', service, rest };
  if (suffix === 'messages') return { kind: 'legacy-messages', service, sessionId: queryParam(query, 'sessionId'), rest };
  return { kind: 'other', service, rest };
}

export function queryParam(query: string, name: string): string | null {
  if (!query) return null;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? pair : pair.slice(0, equals);
    if (key === name) return safeDecode(equals === -1 ? '' : pair.slice(equals + 1));
  }
  return null;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
