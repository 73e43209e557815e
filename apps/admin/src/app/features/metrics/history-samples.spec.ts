import type { MetricsHistoryView } from '@mcp-proxy/shared/dto';
import { historySamples } from './history-samples';

describe('historySamples', () => {
  const view: MetricsHistoryView = {
    range: 'day',
    stepSeconds: 300,
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-02T00:00:00.000Z',
    services: [
      {
        serviceId: 'a',
        serviceName: 'alpha',
        points: [
          { at: '2026-01-01T10:00:00.000Z', calls: 10, errors: 2, p50: 1, p95: 4, p99: 9, cpuPercent: 3, rssBytes: 2 * 1024 * 1024 },
          { at: '2026-01-01T10:05:00.000Z', calls: 0, errors: 0, p50: null, p95: null, p99: null, cpuPercent: null, rssBytes: null },
        ],
      },
    ],
  };

  it('turns stored steps into chart samples, calls per minute and p95 in the middle', () => {
    expect(historySamples(view, 'a')).toEqual([
      { at: Date.parse('2026-01-01T10:00:00.000Z'), requestsPerMinute: 2, p50: 1, p90: 4, p99: 9, errors: 2, cpuPercent: 3, rssMb: 2 },
      {
        at: Date.parse('2026-01-01T10:05:00.000Z'),
        requestsPerMinute: 0,
        p50: null,
        p90: null,
        p99: null,
        errors: 0,
        cpuPercent: null,
        rssMb: null,
      },
    ]);
    expect(historySamples(view, 'unknown')).toEqual([]);
  });
});
