import type { ServiceLogLine } from '../child-handle';
import { Clock } from '../../core/time/clock';
import type { ServiceRecord } from '../service-record';
import type { SupervisedChild, StopRequest } from '../spawn/supervised-child';
import type { SupervisorOptions } from '../supervisor-options';
import type { ProcessSampler, TreeUsage } from './process-sampler';
import { ResourceWatch } from './resource-watch';

const MIB = 1024 * 1024;

function child(pid: number, stops: StopRequest[]): SupervisedChild {
  return { pid, isRunning: true, stop: async (request: StopRequest) => void stops.push(request) } as unknown as SupervisedChild;
}

function record(memoryLimitMb: number | null, shared: SupervisedChild | null, sessions: SupervisedChild[] = []): ServiceRecord {
  const lines: string[] = [];
  return {
    entity: { process: { memoryLimitMb } },
    child: shared,
    sessions: new Set(sessions),
    usage: null,
    log: { append: (_stream: ServiceLogLine['stream'], text: string) => lines.push(text) },
  } as unknown as ServiceRecord;
}

describe('ResourceWatch', () => {
  const usage = (rssMb: number, cpuPercent: number): TreeUsage => ({ rssBytes: rssMb * MIB, cpuPercent, processCount: 2, sampledAt: 5 });

  function watchOver(records: ServiceRecord[], trees: Record<number, TreeUsage>): { watch: ResourceWatch; sampled: ServiceRecord[] } {
    const sampler = {
      sample: async (pids: number[]) => new Map(pids.filter((pid) => trees[pid]).map((pid) => [pid, trees[pid]])),
    } as unknown as ProcessSampler;
    const watch = new ResourceWatch(sampler, new Clock(), { sampleIntervalMs: 5000 } as SupervisorOptions);
    const sampled: ServiceRecord[] = [];
    watch.attach(
      () => records,
      (sample) => sampled.push(sample),
    );
    return { watch, sampled };
  }

  it('sums the shared child and the session children of a service', async () => {
    const service = record(null, child(1, []), [child(2, []), child(3, [])]);
    const { watch, sampled } = watchOver([service], { 1: usage(100, 10), 2: usage(50, 1.5), 3: usage(25, 0.25) });
    await watch.sampleAll();
    expect(service.usage).toEqual({ rssBytes: 175 * MIB, cpuPercent: 11.8, processCount: 6, sampledAt: 5 });
    expect(sampled).toEqual([service]);
  });

  it('restarts a child whose tree is over the memory limit, as a failure naming the limit', async () => {
    const stops: StopRequest[] = [];
    const service = record(256, child(1, stops), [child(2, [])]);
    const { watch } = watchOver([service], { 1: usage(300, 1), 2: usage(200, 1) });
    await watch.sampleAll();
    expect(stops).toEqual([{ expected: false, reason: 'killed: memory limit 256 MB exceeded (300 MB)' }]);
  });

  it('does not sample a service without running children', async () => {
    const idle = record(null, null);
    const { watch, sampled } = watchOver([idle], {});
    await watch.sampleAll();
    expect(idle.usage).toBeNull();
    expect(sampled).toEqual([]);
  });
});
