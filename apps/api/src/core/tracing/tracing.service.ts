import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger } from '../logging/app-logger';
import { APP_VERSION } from '../../version';
import { McpTracer, NO_TRACING } from './call-trace';
import type { OtelTracer } from './otel-tracer';

/**
 * Tracing of MCP calls, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Off, the OpenTelemetry SDK is
 * never loaded and `tracer` answers every call with null.
 */
@Injectable()
export class TracingService implements OnModuleInit, OnApplicationShutdown {
  tracer: McpTracer = NO_TRACING;
  /** Read on every MCP call: off, the data plane skips even gathering the call's facts. */
  enabled = false;
  private otel: OtelTracer | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const endpoint = this.config.get('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (!endpoint) return;
    const { OtelTracer } = await import('./otel-tracer');
    this.otel = new OtelTracer({
      endpoint,
      headers: this.config.get('OTEL_EXPORTER_OTLP_HEADERS'),
      serviceName: this.config.get('OTEL_SERVICE_NAME'),
      serviceVersion: APP_VERSION,
      scheduleDelayMs: this.config.get('OTEL_BSP_SCHEDULE_DELAY'),
      // The request log of the data plane: one line per MCP call, joined to its trace.
      onCallEnd: (facts, trace, result) =>
        this.logger.event(
          'info',
          {
            context: 'McpCall',
            trace_id: trace.traceId,
            span_id: trace.spanId,
            service: facts.service,
            method: facts.method,
            tool: facts.tool,
            outcome: result.outcome,
            errorCode: result.errorCode,
            ms: Math.round(trace.ms * 10) / 10,
          },
          'mcp call',
        ),
      onExportFailure: (reason) => this.reportExportFailure(reason),
    });
    this.tracer = this.otel;
    this.enabled = true;
    this.logger.event('info', { context: 'Tracing', endpoint: new URL(endpoint).origin }, 'exporting MCP call traces over OTLP/HTTP');
  }

  /** A collector that is down would otherwise fill the log: one line a minute at most. */
  private lastFailureReport = 0;
  private reportExportFailure(reason: string): void {
    const now = Date.now();
    if (now - this.lastFailureReport < 60_000) return;
    this.lastFailureReport = now;
    this.logger.event('warn', { context: 'Tracing', reason }, 'could not export traces');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.otel?.shutdown().catch(() => undefined);
  }
}
