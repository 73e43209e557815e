import { LatencyHistogram } from './latency-histogram';

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
  });

  it('finds percentiles within one bucket (±25%)', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    for (const [q, exact] of [
      [0.5, 500],
      [0.9, 900],
      [0.99, 990],
    ]) {
      const estimate = histogram.quantile(q) as number;
      expect(estimate).toBeGreaterThanOrEqual(exact);
      expect(estimate).toBeLessThanOrEqual(exact * 1.25);
    }
  });

  it('keeps sub-millisecond latencies apart', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 99; i++) histogram.record(0.2);
    histogram.record(50);
    expect(histogram.quantile(0.5)).toBeLessThan(0.3);
    expect(histogram.quantile(1)).toBeGreaterThanOrEqual(50);
  });
});
