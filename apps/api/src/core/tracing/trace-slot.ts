/**
 * The W3C `traceparent` of the upstream call being sent right now. The data plane sets it around the
 * synchronous hand-over to an upstream, and an HTTP upstream reads it while it builds the request: no
 * async context tracking, and nothing at all when tracing is off (the slot stays null).
 */
let current: string | null = null;

export function withTraceparent<T>(traceparent: string | null, send: () => T): T {
  if (traceparent === null) return send();
  const before = current;
  current = traceparent;
  try {
    return send();
  } finally {
    current = before;
  }
}

export function currentTraceparent(): string | null {
  return current;
}

/** The W3C Trace Context header a client sends, and that the proxy sends on to HTTP upstreams. */
export const TRACEPARENT_HEADER = 'traceparent';
