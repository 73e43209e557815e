/**
 * One text for equal JSON values: object keys sorted at every level, so a hash or a comparison does not depend on
 * the order a client or server wrote them in (call arguments' hashes, tool fingerprints).
 */

/** Plain JSON whose keys are already sorted at every level: JSON.stringify gives its canonical form as it is. */
function alreadyCanonical(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'undefined';
  if (Array.isArray(value)) return value.every(alreadyCanonical);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  let previous: string | null = null;
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if ((previous !== null && !(previous < name)) || !alreadyCanonical(item)) return false;
    previous = name;
  }
  return true;
}

/** JSON with object keys sorted at every level (undefined members left out, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  // Most arguments are small objects already in order: the native serializer then does it all.
  if (alreadyCanonical(value)) return JSON.stringify(value);
  return sortedJson(value);
}

function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${sortedJson(item)}`).join(',')}}`;
}
