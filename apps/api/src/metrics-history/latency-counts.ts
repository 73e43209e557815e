/**
 * Latency bucket counts in the sparse form the metrics history stores (`{"12": 3}`: bucket 12 counted 3):
 * a minute's counts are the difference of two running snapshots, and any rows merge by adding.
 */
export type SparseCounts = Record<string, number>;

/** What `after` counted that `before` had not yet (both LatencyHistogram snapshots). */
export function countsSince(after: readonly number[], before: readonly number[] | undefined): SparseCounts {
  const counts: SparseCounts = {};
  for (let i = 0; i < after.length; i++) {
    const added = (after[i] ?? 0) - (before?.[i] ?? 0);
    if (added > 0) counts[i] = added;
  }
  return counts;
}

export function addCounts(into: SparseCounts, more: SparseCounts): SparseCounts {
  for (const [index, count] of Object.entries(more)) into[index] = (into[index] ?? 0) + count;
  return into;
}

/** Dense bucket counts (what quantileOfCounts reads) of `length` buckets. */
export function denseCounts(counts: SparseCounts, length: number): number[] {
  const dense = new Array<number>(length).fill(0);
  for (const [index, count] of Object.entries(counts)) {
    const i = Number(index);
    if (Number.isInteger(i) && i >= 0 && i < length) dense[i] += count;
  }
  return dense;
}

/** A stored row's counts; anything unreadable counts as nothing rather than failing a chart. */
export function parseCounts(text: string): SparseCounts {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const counts: SparseCounts = {};
    for (const [index, count] of Object.entries(value)) if (typeof count === 'number' && count > 0) counts[index] = count;
    return counts;
  } catch {
    return {};
  }
}
