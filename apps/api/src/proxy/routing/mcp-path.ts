/**
 * Where a request under /mcp wants to go. `service` is the route key: a service's id, name or path
 * word, or `g/<group>` for a group (`/mcp` alone is the built-in group `g/all`). `base` is the URL prefix
 * the client used; `rest` what follows it (path and query): what an `http` service, reverse-proxied, receives.
 */
export type McpEndpoint =
  | { kind: 'streamable'; service: string; base: string; rest: string }
  | { kind: 'legacy-sse'; service: string; base: string; rest: string }
  | { kind: 'legacy-messages'; service: string; base: string; sessionId: string | null; rest: string }
  | { kind: 'other'; service: string; base: string; rest: string }
  | { kind: 'websocket'; service: string | null };

export const ALL_SERVICES_GROUP = 'g/all';
/** The built-in group of every service at `/mcp`: its id, a word no service may take. */
export const ALL_SERVICES_GROUP_ID = 'all';

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
  if (parts[1] !== 'mcp') return null;
  // '/mcp' or '/mcp/': the built-in group of all services.
  if (parts.length === 2 || (parts.length === 3 && parts[2] === ''))
    return { kind: 'streamable', service: ALL_SERVICES_GROUP, base: '/mcp', rest: url.slice('/mcp'.length) };
  const isGroup = parts[2] === 'g';
  const nameIndex = isGroup ? 3 : 2;
  const name = parts[nameIndex] === undefined ? null : safeDecode(parts[nameIndex]);
  if (!name) return null;
  const service = isGroup ? `g/${name}` : name;
  const base = `/mcp/${isGroup ? 'g/' : ''}${parts[nameIndex]}`;
  const rest = url.slice(base.length);
  const suffix = parts
    .slice(nameIndex + 1)
    .join('/')
    .replace(/\/$/, '');
  if (!isGroup && name === 'ws' && suffix === '') {
    const group = queryParam(query, 'group');
    return { kind: 'websocket', service: group ? `g/${group}` : queryParam(query, 'service') };
  }
  if (suffix === '') return { kind: 'streamable', service, base, rest };
  if (suffix === 'sse') return { kind: 'legacy-sse', service, base, rest };
  if (suffix === 'messages') return { kind: 'legacy-messages', service, base, sessionId: queryParam(query, 'sessionId'), rest };
  return { kind: 'other', service, base, rest };
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

/** The URL without every `name=` pair of its query, the rest byte for byte as it came (no re-encoding). */
export function withoutQueryParam(url: string, name: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const kept = url
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => safeDecode(pair.split('=')[0]) !== name);
  return kept.length === 0 ? url.slice(0, queryStart) : `${url.slice(0, queryStart)}?${kept.join('&')}`;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
