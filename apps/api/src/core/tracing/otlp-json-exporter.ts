import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

const EXPORT_TIMEOUT_MS = 10_000;

/**
 * OTLP/HTTP with JSON bodies (`POST <endpoint>/v1/traces`), encoded by OpenTelemetry's own
 * serializer. Ours rather than `exporter-trace-otlp-http` because that one loads `http` through a
 * dynamic `import()` at the first export, which test runners without ESM support cannot follow;
 * the bytes on the wire are the same.
 */
export class OtlpJsonExporter implements SpanExporter {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly onFailure: (reason: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) return done({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
    const body = JsonTraceSerializer.serializeRequest(spans);
    if (!body) return done({ code: ExportResultCode.FAILED, error: new Error('spans could not be serialized') });
    const sending = fetch(this.url, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: new TextDecoder().decode(body),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    })
      .then(async (response) => {
        await response.body?.cancel();
        if (response.ok) return done({ code: ExportResultCode.SUCCESS });
        this.onFailure(`collector answered HTTP ${response.status}`);
        done({ code: ExportResultCode.FAILED, error: new Error(`HTTP ${response.status}`) });
      })
      .catch((error: unknown) => {
        this.onFailure(causeOf(error));
        done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      });
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }
}

/** fetch hides the socket error (ECONNREFUSED …) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string } } | undefined)?.cause;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
