import { TimeoutError } from '../with-timeout';

/** No gateway answered the SSDP search in time (or there is no network to search on). */
export class NoGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoGatewayError';
  }
}

/** The gateway answered with a UPnP fault (a SOAP error with an errorCode). */
export class GatewayRefusedError extends Error {
  constructor(
    readonly action: string,
    readonly code: number,
    readonly description: string,
  ) {
    super(`the gateway refused ${action}: ${code} ${description}${hintFor(code)}`);
    this.name = 'GatewayRefusedError';
  }
}

/** The gateway answered, but not with what the action should return. */
export class GatewayAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayAnswerError';
  }
}

/** The gateway is there and talking: only this one call did not work. */
export function isGatewayAnswer(error: unknown): boolean {
  return error instanceof GatewayRefusedError || error instanceof GatewayAnswerError;
}

/** UPnP IGD error codes whose meaning a user can act on. */
export const UPNP_ERRORS = {
  actionNotAuthorized: 606,
  arrayIndexInvalid: 713,
  noSuchEntry: 714,
  conflictInMappingEntry: 718,
  onlyPermanentLeasesSupported: 725,
} as const;

function hintFor(code: number): string {
  switch (code) {
    case UPNP_ERRORS.actionNotAuthorized:
      return ' (the router does not allow this mapping: check its UPnP settings or permissions)';
    case UPNP_ERRORS.conflictInMappingEntry:
      return ' (the router already forwards this port to another device)';
    default:
      return '';
  }
}

/**
 * The UPnP fault in a failed SOAP call, if there is one. The library surfaces the HTTP client's error,
 * whose `response.data` holds the SOAP envelope with `<errorCode>` and `<errorDescription>`.
 */
export function upnpFault(error: unknown): { code: number; description: string } | null {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  if (typeof data !== 'string') return null;
  const code = /<errorCode>\s*(\d+)\s*<\/errorCode>/.exec(data);
  if (!code) return null;
  const description = /<errorDescription>([^<]*)<\/errorDescription>/.exec(data)?.[1]?.trim() ?? 'UPnP error';
  return { code: Number(code[1]), description };
}

/** One sentence for a failed gateway call that a user can act on, whatever the library threw. */
export function describeGatewayError(error: unknown, action: string, location: string): Error {
  if (
    error instanceof GatewayRefusedError ||
    error instanceof GatewayAnswerError ||
    error instanceof NoGatewayError ||
    error instanceof TimeoutError
  )
    return error;
  const fault = upnpFault(error);
  if (fault) return new GatewayRefusedError(action, fault.code, fault.description);
  const message = error instanceof Error ? error.message : String(error);
  if (/Service not found/.test(message)) {
    return new Error(`the gateway at ${location} offers no WANIPConnection or WANPPPConnection service, so it cannot map ports`);
  }
  // The library returns (rather than throws) a failed description download, which then fails as a TypeError.
  if (error instanceof TypeError) return new Error(`could not read the gateway's device description at ${location}`);
  const code = (error as { code?: unknown }).code;
  return new Error(`the gateway at ${location} did not answer ${action}: ${typeof code === 'string' ? code : message}`);
}
