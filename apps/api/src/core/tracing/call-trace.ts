/** What a traced MCP call is about; read once when it starts. */
export interface CallFacts {
  method: string;
  /** The service (or group) the client called. */
  service: string;
  /** `tools/call`: the tool's name as the client used it. */
  tool?: string;
  /** The client's JSON-RPC id. */
  requestId: string | number;
  sessionId: string;
  transport: string;
  /** The client's W3C `traceparent`, continued when valid. */
  traceparent?: string;
}

/** How a call ended. */
export interface CallOutcome {
  /** `ok`, `error` (a JSON-RPC error answer), `cancelled` (the client gave up). */
  outcome: 'ok' | 'error' | 'cancelled';
  errorCode?: number;
  /** A tool result with `isError: true`: the call worked, the tool failed. */
  toolError?: boolean;
}

/** The proxy's leg to the server behind it (a child span), open until the answer is back. */
export interface UpstreamLeg {
  /** To send on to an HTTP or remote upstream, so its spans join the trace. */
  readonly traceparent: string;
}

/** One MCP call in flight: the server span, and the upstream leg once it is forwarded. */
export interface CallTrace {
  readonly traceId: string;
  forwarded(upstreamKind: string): UpstreamLeg;
  end(outcome: CallOutcome): void;
}

/**
 * Starts a trace per MCP call, or returns null when tracing is off: the data plane then does
 * nothing more than one null check.
 */
export interface McpTracer {
  startCall(facts: CallFacts): CallTrace | null;
}

export const NO_TRACING: McpTracer = { startCall: () => null };
