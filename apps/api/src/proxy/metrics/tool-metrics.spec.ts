import type { AppConfig } from '../../core/config/app-config';
import { MetricsService } from '../../core/metrics/metrics.service';
import { MAX_TOOL_SERIES, OTHER_TOOLS, ToolMetrics } from './tool-metrics';

function setup(enabled: boolean) {
  const metrics = new MetricsService();
  const config = { get: () => enabled } as unknown as AppConfig;
  return { tools: new ToolMetrics(config, metrics), metrics };
}

describe('ToolMetrics', () => {
  it('counts calls per service, tool and outcome, and times the answered ones', async () => {
    const { tools, metrics } = setup(true);
    tools.record('everything', 'echo', 'ok', 0.002);
    tools.record('everything', 'echo', 'cancelled', 0.5);
    const text = await metrics.registry.metrics();
    expect(text).toContain('mcp_proxy_tool_calls_total{service="everything",tool="echo",outcome="ok"} 1');
    expect(text).toContain('mcp_proxy_tool_calls_total{service="everything",tool="echo",outcome="cancelled"} 1');
    expect(text).toContain('mcp_proxy_tool_call_duration_seconds_count{service="everything",tool="echo"} 1');
  });

  it(`names at most ${MAX_TOOL_SERIES} tools: names clients make up later count together`, async () => {
    const { tools, metrics } = setup(true);
    for (let index = 0; index < MAX_TOOL_SERIES + 5; index++) tools.record('svc', `tool-${index}`, 'error', 0.001);
    tools.record('svc', 'tool-0', 'ok', 0.001);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`mcp_proxy_tool_calls_total{service="svc",tool="${OTHER_TOOLS}",outcome="error"} 5`);
    expect(text).toContain('mcp_proxy_tool_calls_total{service="svc",tool="tool-0",outcome="ok"} 1');
  });

  it('registers nothing when METRICS_PER_TOOL is off', async () => {
    const { tools, metrics } = setup(false);
    tools.record('svc', 'echo', 'ok', 0.001);
    expect(tools.enabled).toBe(false);
    expect(await metrics.registry.metrics()).not.toContain('mcp_proxy_tool');
  });
});
