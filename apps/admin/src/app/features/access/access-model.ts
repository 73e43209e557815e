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
