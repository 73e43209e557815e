import type { ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { MinuteAggregator } from './minute-aggregator';

function sample(serviceId: string, cpuPercent: number | null, rssBytes: number | null): ServiceMetricsView {
  return { serviceId, serviceName: serviceId, process: { cpuPercent, rssBytes } } as unknown as ServiceMetricsView;
}

describe('MinuteAggregator', () => {
  it('gives each minute only what happened in it', () => {
    const aggregator = new MinuteAggregator();
    const first = aggregator.take([{ serviceId: 'a', serviceName: 'alpha', requests: 3, errors: 1, latency: [0, 2, 1] }]);
    expect(first).toEqual([
      { serviceId: 'a', serviceName: 'alpha', calls: 3, errors: 1, latency: { 1: 2, 2: 1 }, samples: 0, cpuSum: 0, rssSum: 0 },
    ]);
    aggregator.sample(sample('a', 10, 1000));
    aggregator.sample(sample('a', 30, 3000));
    aggregator.sample(sample('b', null, null));
    const second = aggregator.take([{ serviceId: 'a', serviceName: 'alpha', requests: 5, errors: 1, latency: [0, 3, 2] }]);
    expect(second).toEqual([
      { serviceId: 'a', serviceName: 'alpha', calls: 2, errors: 0, latency: { 1: 1, 2: 1 }, samples: 2, cpuSum: 40, rssSum: 4000 },
    ]);
    expect(aggregator.take([{ serviceId: 'a', serviceName: 'alpha', requests: 5, errors: 1, latency: [0, 3, 2] }])).toEqual([]);
  });
});
