import { Injectable } from '@nestjs/common';
import type { CallOutcome } from '@mcp-proxy/shared/dto';
import { Counter, Histogram } from 'prom-client';
import { AppConfig } from '../../core/config/app-config';
import { MetricsService } from '../../core/metrics/metrics.service';

/** Distinct service/tool pairs counted by name at most; later ones count as `OTHER_TOOLS` (clients choose the names they call). */
export const MAX_TOOL_SERIES = 1000;
export const OTHER_TOOLS = '(other)';

/**
 * Prometheus figures per tool (`tools/call` only), with METRICS_PER_TOOL=true: one series per service and tool
 * name, which a server with many tools multiplies — hence off by default. A group's call counts under the
 * member and the member's own tool name, like the call history's statistics.
 */
@Injectable()
export class ToolMetrics {
  readonly enabled: boolean;
  private readonly calls: Counter<'service' | 'tool' | 'outcome'> | null = null;
  private readonly duration: Histogram<'service' | 'tool'> | null = null;
  private readonly named = new Set<string>();

  constructor(config: AppConfig, metrics: MetricsService) {
    this.enabled = config.get('METRICS_PER_TOOL');
    if (!this.enabled) return;
    const registers = [metrics.registry];
    this.calls = new Counter({
      name: 'mcp_proxy_tool_calls_total',
      help: 'tools/call requests by service, tool and outcome (ok, tool_error, error, timeout, cancelled)',
      labelNames: ['service', 'tool', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'mcp_proxy_tool_call_duration_seconds',
      help: 'Time from a tools/call to its answer, by service and tool',
      labelNames: ['service', 'tool'],
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    });
  }

  record(service: string, name: string, outcome: CallOutcome, seconds: number): void {
    const key = `${service}\u0000${name}`;
    if (!this.named.has(key) && this.named.size < MAX_TOOL_SERIES) this.named.add(key);
    const tool = this.named.has(key) ? name : OTHER_TOOLS;
    this.calls?.inc({ service, tool, outcome });
    if (outcome !== 'cancelled') this.duration?.observe({ service, tool }, seconds);
  }
}
