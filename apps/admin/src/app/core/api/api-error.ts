import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorView } from '@mcp-proxy/shared/dto';

function isApiErrorView(value: unknown): value is ApiErrorView {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Record<keyof ApiErrorView, unknown>>;
  return typeof candidate.statusCode === 'number' && (typeof candidate.message === 'string' || Array.isArray(candidate.message));
}

/** A one-line, human readable description of a failed HTTP call. */
export function describeHttpError(error: unknown): string {
  if (!(error instanceof HttpErrorResponse)) {
    return error instanceof Error ? error.message : 'Unexpected error';
  }
  if (error.status === 0) {
    return 'Cannot reach the API. Check that the gateway is running.';
  }
  if (isApiErrorView(error.error)) {
    const message = Array.isArray(error.error.message) ? error.error.message.join('; ') : error.error.message;
    // A 403 is about the signed-in role, not the input: say so plainly.
    if (error.status === 403) return `Not allowed: ${message}`;
    return `${message} (HTTP ${error.status})`;
  }
  if (error.status === 403) return 'Not allowed: your role cannot do this.';
  return `Request failed (HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ''})`;
}

/**
 * The API's own messages from a failed call (one per invalid field for a 400), or an empty list
 * when the error did not come with them (network failure, proxy error page, …).
 */
export function apiErrorMessages(error: unknown): string[] {
  if (!(error instanceof HttpErrorResponse) || !isApiErrorView(error.error)) return [];
  const { message } = error.error;
  return Array.isArray(message) ? message.filter((item) => typeof item === 'string') : [message];
}
