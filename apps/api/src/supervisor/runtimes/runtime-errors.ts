/**
 * A service command this host cannot run, or one written so the proxy cannot run it as a service: the
 * message names the tool and what to install or change ("uvx not found on this host: install uv, …").
 * Refused with 400 when a service is created or changed; the reason a start fails otherwise.
 */
export class RuntimeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeUnavailableError';
  }
}
