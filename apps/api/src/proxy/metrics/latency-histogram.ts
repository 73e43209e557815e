/** Bucket upper bounds in ms: 1.25× apart from 0.05 ms to about 2 minutes (log scale, ~70 buckets). */
export const LATENCY_BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let bound = 0.05; bound < 120_000; bound *= 1.25) bounds.push(bound);
  return bounds;
})();

/**
 * Latencies counted in log-scale buckets: constant memory, O(log n) to record, percentiles to
 * within one bucket (±12%), which is what a dashboard needs.
 */
export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
  private total = 0;

  record(ms: number): void {
    let low = 0;
    let high = LATENCY_BOUNDS.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (LATENCY_BOUNDS[middle] < ms) low = middle + 1;
      else high = middle;
    }
    this.counts[low]++;
    this.total++;
  }

  /** A copy of the bucket counts so far (the metrics history takes the difference between two). */
  snapshot(): number[] {
    return [...this.counts];
  }

  /** The upper bound of the bucket holding the q-th quantile (0 < q ≤ 1), or null when empty. */
  quantile(q: number): number | null {
    return quantileOfCounts(this.counts, q);
  }
}

/** The q-th quantile of bucket counts laid out as LatencyHistogram keeps them. */
export function quantileOfCounts(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return i < LATENCY_BOUNDS.length ? Math.round((LATENCY_BOUNDS[i] ?? 0) * 1000) / 1000 : Infinity;
  }
  return null;
}
