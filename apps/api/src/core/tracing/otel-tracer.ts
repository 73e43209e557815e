import { Attributes, Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { CallFacts, CallOutcome, CallTrace, McpTracer, UpstreamLeg } from './call-trace';
import { OtlpJsonExporter } from './otlp-json-exporter';

export interface OtelTracerOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  /** How long finished spans wait to be sent in one batch. */
  scheduleDelayMs: number;
  onCallEnd?: (facts: CallFacts, trace: { traceId: string; spanId: string; ms: number }, outcome: CallOutcome) => void;
  /** An export failed (collector down or refusing): said, never thrown. */
  onExportFailure?: (reason: string) => void;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/**
 * OpenTelemetry behind the McpTracer seam: this module (and the SDK) is imported only when an
 * OTLP endpoint is configured. Contexts are passed by hand, span to span, so no async context
 * tracking runs on the hot path.
 */
export class OtelTracer implements McpTracer {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(private readonly options: OtelTracerOptions) {
    const exporter = new OtlpJsonExporter(
      `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
      options.headers,
      options.onExportFailure ?? (() => undefined),
    );
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.scheduleDelayMs })],
    });
    this.tracer = this.provider.getTracer('mcp-reverse-proxy', options.serviceVersion);
  }

  startCall(facts: CallFacts): CallTrace {
    const parent = facts.traceparent ? propagator.extract(ROOT_CONTEXT, { traceparent: facts.traceparent }, headerGetter) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(spanName(facts), { kind: SpanKind.SERVER, attributes: callAttributes(facts) }, parent);
    return new OtelCallTrace(this.tracer, span, facts, this.options.onCallEnd);
  }

  /** Sends what is still batched; the proxy is stopping. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

class OtelCallTrace implements CallTrace {
  readonly traceId: string;
  private leg: Span | null = null;
  private readonly started = performance.now();
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly facts: CallFacts,
    private readonly onEnd: OtelTracerOptions['onCallEnd'],
  ) {
    this.traceId = span.spanContext().traceId;
  }

  forwarded(upstreamKind: string): UpstreamLeg {
    const context: Context = trace.setSpan(ROOT_CONTEXT, this.span);
    this.leg = this.tracer.startSpan(
      `${spanName(this.facts)} upstream`,
      { kind: SpanKind.CLIENT, attributes: { ...callAttributes(this.facts), 'mcp.upstream.kind': upstreamKind } },
      context,
    );
    const { traceId, spanId, traceFlags } = this.leg.spanContext();
    return { traceparent: `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}` };
  }

  end(result: CallOutcome): void {
    if (this.ended) return;
    this.ended = true;
    const attributes: Attributes = { 'mcp.outcome': result.outcome };
    if (result.errorCode !== undefined) attributes['rpc.jsonrpc.error_code'] = result.errorCode;
    if (result.toolError) attributes['mcp.tool.is_error'] = true;
    for (const span of this.leg ? [this.leg, this.span] : [this.span]) {
      span.setAttributes(attributes);
      if (result.outcome === 'error')
        span.setStatus({ code: SpanStatusCode.ERROR, message: `JSON-RPC error ${result.errorCode ?? ''}`.trim() });
      span.end();
    }
    this.onEnd?.(
      this.facts,
      { traceId: this.traceId, spanId: this.span.spanContext().spanId, ms: performance.now() - this.started },
      result,
    );
  }
}

/** `tools/call echo`, `resources/read`: what a user looks for in a trace view. */
function spanName(facts: CallFacts): string {
  return facts.tool ? `${facts.method} ${facts.tool}` : facts.method;
}

function callAttributes(facts: CallFacts): Attributes {
  const attributes: Attributes = {
    'mcp.method.name': facts.method,
    'mcp.service.name': facts.service,
    'mcp.session.id': facts.sessionId,
    'mcp.transport': facts.transport,
    'jsonrpc.request.id': String(facts.requestId),
  };
  if (facts.tool) attributes['gen_ai.tool.name'] = facts.tool;
  return attributes;
}
