/** Bucket upper bounds in ms: 1.25× apart from 0.05 ms to about 2 minutes (log scale, ~70 buckets). */
const BOUNDS: number[] = [];
for (let bound = 0.05; bound < 120_000; bound *= 1.25) BOUNDS.push(bound);

/**
 * Latencies counted in log-scale buckets: constant memory, O(log n) to record, percentiles to
 * within one bucket (±12%), which is what a dashboard needs.
 */
export class LatencyHistogram {
  private readonly counts = new Array<number>(BOUNDS.length + 1).fill(0);
  private total = 0;

  record(ms: number): void {
    let low = 0;
    let high = BOUNDS.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (BOUNDS[middle] < ms) low = middle + 1;
      else high = middle;
    }
    this.counts[low]++;
    this.total++;
  }

  /** The upper bound of the bucket holding the q-th quantile (0 < q ≤ 1), or null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < BOUNDS.length ? Math.round(BOUNDS[i] * 1000) / 1000 : Infinity;
    }
    return null;
  }
}
