import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../core/time/clock';
import { childrenOf, ServiceRecord } from '../service-record';
import { SUPERVISOR_OPTIONS, SupervisorOptions } from '../supervisor-options';
import { ProcessSampler, TreeUsage } from './process-sampler';

const MIB = 1024 * 1024;

/**
 * Samples the memory and CPU of every running child's process tree every few seconds, only while some
 * child runs (an idle proxy reads nothing from /proc), and restarts a child over its memory limit.
 */
@Injectable()
export class ResourceWatch {
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy: Promise<void> | null = null;
  private records: () => Iterable<ServiceRecord> = () => [];
  private onSample: (record: ServiceRecord) => void = () => undefined;
  private stopped = false;

  constructor(
    private readonly sampler: ProcessSampler,
    private readonly clock: Clock,
    @Inject(SUPERVISOR_OPTIONS) private readonly options: SupervisorOptions,
  ) {}

  /** The supervisor's records, and what to do with each fresh sample (announce it). */
  attach(records: () => Iterable<ServiceRecord>, onSample: (record: ServiceRecord) => void): void {
    this.records = records;
    this.onSample = onSample;
  }

  /** Called whenever a child starts. */
  ensureRunning(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sampleAll(), this.options.sampleIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.halt();
  }

  /** For a metrics request: a sample no older than the interval. */
  async refresh(record: ServiceRecord): Promise<void> {
    const stale = !record.usage || this.clock.now() - record.usage.sampledAt > this.options.sampleIntervalMs;
    if (stale && childrenOf(record).length > 0) await this.sampleAll();
  }

  /** One pass at a time; a caller arriving during a pass shares it. */
  sampleAll(): Promise<void> {
    this.busy ??= this.sampleOnce().finally(() => (this.busy = null));
    return this.busy;
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sampleOnce(): Promise<void> {
    const running = [...this.records()].filter((record) => childrenOf(record).length > 0);
    if (running.length === 0) return this.halt();
    // A remote service has no process (pid 0) to sample.
    const usage = await this.sampler.sample(
      running.flatMap((record) =>
        childrenOf(record)
          .map((child) => child.pid)
          .filter((pid) => pid > 0),
      ),
    );
    for (const record of running) {
      const measured = childrenOf(record).flatMap((child) => {
        const tree = usage.get(child.pid);
        return tree ? [{ child, tree }] : [];
      });
      if (measured.length === 0) continue;
      record.usage = sumOf(measured.map(({ tree }) => tree));
      const limitMb = record.entity.process.memoryLimitMb;
      for (const { child, tree } of measured) {
        const usedMb = Math.round(tree.rssBytes / MIB);
        if (!limitMb || usedMb <= limitMb || !child.isRunning) continue;
        const reason = `killed: memory limit ${limitMb} MB exceeded (${usedMb} MB)`;
        record.log.append('system', reason, 'error');
        void child.stop({ expected: false, reason });
      }
      this.onSample(record);
    }
  }
}

function sumOf(trees: TreeUsage[]): TreeUsage {
  return {
    rssBytes: trees.reduce((sum, tree) => sum + tree.rssBytes, 0),
    cpuPercent: Math.round(trees.reduce((sum, tree) => sum + tree.cpuPercent, 0) * 10) / 10,
    processCount: trees.reduce((sum, tree) => sum + tree.processCount, 0),
    sampledAt: trees[0].sampledAt,
  };
}
