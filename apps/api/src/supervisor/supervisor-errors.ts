import type { ServiceStatus } from '@mcp-proxy/shared/dto';

/**
 * Why a session child cannot be had right now. The proxy answers these with 503 and the message;
 * each names the service and what to do.
 */
export class SessionUnavailableError extends Error {
  constructor(
    readonly serviceName: string,
    message: string,
  ) {
    super(message);
    this.name = 'SessionUnavailableError';
  }
}

/** The service runs `maxSessions` session children already. */
export class SessionLimitError extends SessionUnavailableError {
  constructor(
    serviceName: string,
    readonly limit: number,
  ) {
    super(serviceName, `MCP server "${serviceName}" already serves its maximum of ${limit} sessions; try again later`);
    this.name = 'SessionLimitError';
  }
}

/** The service is not started (or crashed, or failed). */
export class ServiceNotRunningError extends SessionUnavailableError {
  constructor(
    serviceName: string,
    readonly status: ServiceStatus,
  ) {
    super(serviceName, `MCP server "${serviceName}" is ${status}`);
    this.name = 'ServiceNotRunningError';
  }
}

/** The service runs one shared child: use `handleOf`, not a session child. */
export class NotSessionIsolatedError extends SessionUnavailableError {
  constructor(serviceName: string) {
    super(serviceName, `MCP server "${serviceName}" runs one shared process, not one per session`);
    this.name = 'NotSessionIsolatedError';
  }
}

/** A deployment's candidate exited (or was stopped with its service) before it could be promoted. */
export class CandidateGoneError extends Error {
  constructor(readonly serviceName: string) {
    super(`the new version of "${serviceName}" stopped before it could take over`);
    this.name = 'CandidateGoneError';
  }
}
