/**
 * Resource URIs of group members, rewritten so the group can tell which member owns them and give the
 * member back its own URI: `mcp-group://<service>/<original, percent-encoded>`. Reversible, and a valid
 * URI whatever the original looks like.
 */
const SCHEME = 'mcp-group://';

export function groupUri(service: string, uri: string): string {
  return `${SCHEME}${encodeURIComponent(service)}/${encodeURIComponent(uri)}`;
}

/** The member and its own URI, or null when the URI is not one of ours. */
export function memberUri(uri: string): { service: string; uri: string } | null {
  if (!uri.startsWith(SCHEME)) return null;
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  try {
    return { service: decodeURIComponent(rest.slice(0, slash)), uri: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    return null;
  }
}

/**
 * A URI template (RFC 6570) rewritten the same way: literal parts encoded, `{…}` expressions kept, so a
 * client's expansion decodes to the member's own expansion (for values without reserved characters).
 */
export function groupUriTemplate(service: string, template: string): string {
  const parts = template.split(/(\{[^}]*\})/);
  return `${SCHEME}${encodeURIComponent(service)}/${parts.map((part) => (part.startsWith('{') ? part : encodeURIComponent(part))).join('')}`;
}
