/**
 * A comma- or line-separated list as typed in a form: trimmed, blanks dropped, duplicates removed.
 * An empty field means "no restriction" (undefined), not an empty list.
 */
export function parseNameList(text: string): string[] | undefined {
  const names = [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
  return names.length ? names : undefined;
}

/** How a restriction reads in a table: `all` when absent, `none` when empty. */
export function describeRestriction(names: string[] | null): string {
  if (names === null) return 'all';
  return names.length ? names.join(', ') : 'none';
}

/** One choice of the token form's service list: the value the API takes, the words the user reads. */
export interface TokenTarget {
  readonly value: string;
  readonly label: string;
}

/** Services by name, then each group as `g/<name>`, then `g/all` (the `/mcp` endpoint of every service). */
export function tokenTargets(services: readonly { name: string }[], groups: readonly { name: string }[]): TokenTarget[] {
  return [
    ...services.map((service) => ({ value: service.name, label: service.name })),
    ...groups.map((group) => ({ value: `g/${group.name}`, label: `Group ${group.name}` })),
    { value: 'g/all', label: 'All services endpoint (/mcp)' },
  ];
}
