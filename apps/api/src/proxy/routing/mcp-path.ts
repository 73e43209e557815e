/** Where a request under /mcp wants to go. */
export type McpEndpoint =
  | { kind: 'streamable'; service: string }
  | { kind: 'legacy-sse'; service: string }
  | { kind: 'legacy-messages'; service: string; sessionId: string | null }
  | { kind: 'websocket'; service: string | null };

/**
 * Parses `/mcp/<service>`, `/mcp/<service>/sse`, `/mcp/<service>/messages?sessionId=…` and
 * `/mcp/ws?service=…`. Returns null for anything else (answered 404).
 */
export function parseMcpPath(url: string): McpEndpoint | null {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const parts = path.split('/');
  // ['', 'mcp', service, suffix?] with an optional trailing slash
  if (parts[1] !== 'mcp' || parts.length < 3 || parts.length > 5) return null;
  if (parts.length === 5 && parts[4] !== '') return null;
  const service = safeDecode(parts[2]);
  const suffix = parts[3] ?? '';
  if (!service) return null;
  if (service === 'ws' && suffix === '') return { kind: 'websocket', service: queryParam(query, 'service') };
  if (suffix === '') return { kind: 'streamable', service };
  if (suffix === 'sse') return { kind: 'legacy-sse', service };
  if (suffix === 'messages') return { kind: 'legacy-messages', service, sessionId: queryParam(query, 'sessionId') };
  return null;
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
