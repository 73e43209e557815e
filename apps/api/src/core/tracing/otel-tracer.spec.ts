import { startOtlpCollector, OtlpCollector } from '../../../test/support/otlp-collector';
import { OtelTracer } from './otel-tracer';

describe('OtelTracer', () => {
  let collector: OtlpCollector;
  beforeAll(async () => (collector = await startOtlpCollector()));
  afterAll(() => collector.close());

  it('exports a finished call to the collector as OTLP/HTTP JSON', async () => {
    const ends: string[] = [];
    const tracer = new OtelTracer({
      endpoint: collector.url,
      headers: {},
      serviceName: 'unit',
      serviceVersion: '0.0.0',
      scheduleDelayMs: 10,
      onCallEnd: (_facts, trace) => ends.push(trace.traceId),
    });
    const call = tracer.startCall({
      method: 'tools/call',
      service: 's',
      tool: 'echo',
      requestId: 7,
      sessionId: 'x',
      transport: 'websocket',
    });
    call.forwarded('stdio');
    call.end({ outcome: 'ok' });
    await tracer.shutdown();
    expect(collector.spans.map((span) => span.name).sort()).toEqual(['tools/call echo', 'tools/call echo upstream']);
    expect(ends).toEqual([call.traceId]);
  });
});
