import { samplesOfServices } from './service-samples';

describe('samplesOfServices', () => {
  const text = [
    '# HELP mcp_proxy_mcp_requests_total MCP requests',
    '# TYPE mcp_proxy_mcp_requests_total counter',
    'mcp_proxy_mcp_requests_total{service="mine",method="tools/list",outcome="ok"} 2',
    'mcp_proxy_mcp_requests_total{service="theirs",method="tools/list",outcome="ok"} 1',
    'mcp_proxy_mcp_request_duration_seconds_bucket{le="0.5",service="theirs"} 1',
    'mcp_proxy_mcp_sessions{service="say \\"hi\\""} 1',
    'process_cpu_seconds_total 3',
  ].join('\n');

  it.each([
    [
      'keeps the allowed service, comments and unlabelled samples',
      ['mine'],
      ['service="mine"', '# HELP', 'process_cpu_seconds_total'],
      ['theirs', 'say'],
    ],
    ['reads escaped label values', ['say "hi"'], ['say \\"hi\\"'], ['service="mine"', 'theirs']],
    ['drops every labelled sample when nothing is allowed', [], ['process_cpu_seconds_total'], ['service="']],
  ])('%s', (_, allowed, kept, dropped) => {
    const result = samplesOfServices(text, (service) => allowed.includes(service));
    for (const part of kept) expect(result).toContain(part);
    for (const part of dropped) expect(result).not.toContain(part);
  });
});
