import { metricsView } from '../../testing/fixtures';
import { MetricsHistory, appendSample, sampleTime } from './metrics-series';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('appendSample', () => {
  it('charts requests, latency, CPU and memory, and errors per interval', () => {
    let series = appendSample([], metricsView('a', {}, { errors: 5, requestsPerMinute: 12 }), T0, null);
    series = appendSample(series, metricsView('a', { cpuPercent: 4 }, { errors: 8 }), T0 + 5000, 5);
    expect(series).toEqual([
      { at: T0, requestsPerMinute: 12, p50: 3, p90: 8, p99: 20, errors: 0, cpuPercent: 2, rssMb: 50 },
      { at: T0 + 5000, requestsPerMinute: 12, p50: 3, p90: 8, p99: 20, errors: 3, cpuPercent: 4, rssMb: 50 },
    ]);
  });

  it('counts from zero after the error counter went down (proxy restarted)', () => {
    const series = appendSample([], metricsView('a', {}, { errors: 2 }), T0, 10);
    expect(series[0]?.errors).toBe(2);
  });

  it('leaves CPU and memory out while the service is not running, and proxy figures when there are none', () => {
    const [sample] = appendSample([], metricsView('a', { status: 'stopped', rssBytes: null, cpuPercent: null }, null), T0, null);
    expect(sample).toEqual({
      at: T0,
      requestsPerMinute: null,
      p50: null,
      p90: null,
      p99: null,
      errors: null,
      cpuPercent: null,
      rssMb: null,
    });
  });

  it('keeps the newest samples only and ignores one that is not newer', () => {
    let series = appendSample([], metricsView('a'), T0, null, 2);
    series = appendSample(series, metricsView('a'), T0 + 1, null, 2);
    series = appendSample(series, metricsView('a'), T0 + 2, null, 2);
    expect(series.map((sample) => sample.at)).toEqual([T0 + 1, T0 + 2]);
    expect(appendSample(series, metricsView('a'), T0 + 2, null, 2)).toEqual(series);
  });
});

describe('sampleTime', () => {
  it('uses the sampling time when it is plausible, else the arrival time', () => {
    expect(sampleTime(metricsView('a', { sampledAt: '2026-01-01T00:00:03.000Z' }), T0 + 4000)).toBe(T0 + 3000);
    expect(sampleTime(metricsView('a', { sampledAt: null }), T0)).toBe(T0);
    expect(sampleTime(metricsView('a', { sampledAt: '2020-01-01T00:00:00.000Z' }), T0)).toBe(T0);
  });
});

describe('MetricsHistory', () => {
  it('keeps one series per service and remembers when each last grew', () => {
    const history = new MetricsHistory();
    history.add(metricsView('a', { sampledAt: null }, { errors: 1 }), T0);
    history.add(metricsView('b', { sampledAt: null }), T0);
    history.add(metricsView('a', { sampledAt: null }, { errors: 4 }), T0 + 5000);
    expect(history.of('a').map((sample) => sample.errors)).toEqual([0, 3]);
    expect(history.of('b')).toHaveLength(1);
    expect(history.of('c')).toEqual([]);
    expect(history.lastReceived('a')).toBe(T0 + 5000);
    expect(history.lastReceived('c')).toBeNull();
  });
});
