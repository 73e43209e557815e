import type { HostLimitsView } from '@mcp-proxy/shared/dto';
import { hostLimitsSummary } from './host-limits';

describe('hostLimitsSummary', () => {
  const all: HostLimitsView = {
    cgroup: 'v2',
    memory: true,
    pids: true,
    cpu: true,
    perProcess: true,
    reason: null,
  };

  it('says when every limit holds, and how', () => {
    expect(hostLimitsSummary(all)).toEqual({
      value: 'All enforced',
      allEnforced: true,
      detail: "Memory, processes and CPU of each server's whole process tree are capped (cgroup v2), open files and CPU time per process.",
    });
  });

  it('names the limits that do not hold here, with the reason', () => {
    const reason = "memory, pids, cpu: cgroup v2: the proxy's cgroup /user.slice is not delegated to it";
    expect(
      hostLimitsSummary({
        ...all,
        memory: false,
        pids: false,
        cpu: false,
        reason,
      }),
    ).toEqual({
      value: 'Per-process limits',
      allEnforced: false,
      detail: `Not enforced on this host: memory, processes, CPU — ${reason}.`,
    });
    expect(
      hostLimitsSummary({
        ...all,
        cgroup: 'none',
        memory: false,
        pids: false,
        cpu: false,
        perProcess: false,
        reason: 'x',
      }).value,
    ).toBe('None enforced');
    expect(
      hostLimitsSummary({
        ...all,
        cpu: false,
        reason: 'cpu: controller not mounted',
      }).value,
    ).toBe('Memory, processes, per-process limits');
  });
});
