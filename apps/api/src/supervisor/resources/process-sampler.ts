import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/time/clock';
import { CLOCK_TICKS_PER_SECOND, ProcFs } from './proc-fs';
import { cpuPercent, ProcStat, treeMembers } from './proc-stat';

/** Resource use of one child and everything it started. */
export interface TreeUsage {
  rssBytes: number;
  /** % of one core since the previous sample of the same tree (since its start for the first one). */
  cpuPercent: number;
  processCount: number;
  sampledAt: number;
}

/**
 * Samples process trees from /proc: one pass over the process table serves every tree, so the cost
 * does not grow with the number of services. Keeps the previous CPU reading per tree for the rate.
 */
@Injectable()
export class ProcessSampler {
  private readonly previous = new Map<number, { cpuTicks: number; at: number }>();

  constructor(
    private readonly proc: ProcFs,
    private readonly clock: Clock,
  ) {}

  /** Usage per root pid; a root that is gone (or a system without /proc) is absent from the result. */
  async sample(rootPids: readonly number[]): Promise<Map<number, TreeUsage>> {
    const usage = new Map<number, TreeUsage>();
    for (const pid of this.previous.keys()) if (!rootPids.includes(pid)) this.previous.delete(pid);
    if (rootPids.length === 0) return usage;
    const stats = await this.proc.allStats();
    const now = this.clock.now();
    let uptime: number | null | undefined;
    for (const rootPid of rootPids) {
      const members = treeMembers(stats, rootPid);
      const root = members.find((member) => member.pid === rootPid);
      if (!root) continue;
      const cpuTicks = members.reduce((sum, member) => sum + member.cpuTicks, 0);
      const rss = await Promise.all(members.map((member) => this.proc.rssBytes(member.pid)));
      const before = this.previous.get(rootPid);
      let cpu: number;
      if (before) cpu = cpuPercent(before.cpuTicks, cpuTicks, now - before.at, CLOCK_TICKS_PER_SECOND);
      else {
        uptime ??= await this.proc.uptimeSeconds();
        cpu = cpuSinceStart(root, cpuTicks, uptime);
      }
      this.previous.set(rootPid, { cpuTicks, at: now });
      usage.set(rootPid, {
        rssBytes: rss.reduce<number>((sum, bytes) => sum + (bytes ?? 0), 0),
        cpuPercent: cpu,
        processCount: members.length,
        sampledAt: now,
      });
    }
    return usage;
  }
}

function cpuSinceStart(root: ProcStat, cpuTicks: number, uptimeSeconds: number | null): number {
  if (uptimeSeconds === null) return 0;
  const ageMs = (uptimeSeconds - root.startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
  return cpuPercent(0, cpuTicks, ageMs, CLOCK_TICKS_PER_SECOND);
}
