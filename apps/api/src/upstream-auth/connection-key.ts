/**
 * Whose upstream connection a call uses, before owners are looked up (connection-owners.ts). `shared`: the
 * service's one connection. `perUser`: the calling principal's: a named user (`user:<id>`), a client token
 * (`client-token:<id>`), an OAuth grant (`oauth:<grant id>`); the API key and the UI sessions opened with it
 * are one principal, `admin`.
 */
export function connectionKeyOf(connection: 'shared' | 'perUser', principalId: string): string {
  if (connection === 'shared') return 'shared';
  return principalId.startsWith('session:') ? 'admin' : principalId;
}

/** Where a person connects (or reconnects) an account: the service's page in the portal. */
export function connectPageUrl(publicUrl: string | undefined, serviceId: string): string {
  return `${publicUrl ?? ''}/services/${serviceId}`;
}

/** The caller has no connection to the upstream yet: the message says where to make one. */
export class NotConnectedError extends Error {
  constructor(
    serviceName: string,
    readonly connectUrl: string,
    shared: boolean,
  ) {
    super(
      shared
        ? `"${serviceName}" needs its OAuth connection: an admin connects it once at ${connectUrl} ("Connect your account")`
        : `"${serviceName}" acts on your own account there: connect it at ${connectUrl} ("Connect your account"), then call again`,
    );
    this.name = 'NotConnectedError';
  }
}

/** The upstream refused the connection's tokens and a refresh did not help: the person connects again. */
export class ReconnectNeededError extends Error {
  constructor(serviceName: string, connectUrl: string, why: string) {
    super(`"${serviceName}" no longer accepts this connection (${why}): reconnect at ${connectUrl}`);
    this.name = 'ReconnectNeededError';
  }
}
