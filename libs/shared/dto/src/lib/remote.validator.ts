import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** Header names the proxy sets itself on every remote request: configuring them would break the session. */
export const RESERVED_REMOTE_HEADERS: readonly string[] = [
  'accept',
  'connection',
  'content-length',
  'content-type',
  'host',
  'last-event-id',
  'mcp-protocol-version',
  'mcp-session-id',
  'traceparent',
  'tracestate',
  'transfer-encoding',
  'upgrade',
];

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_HEADERS = 30;
const MAX_HEADER_VALUE_LENGTH = 8 * 1024;
/** `${NAME}` in a header value: replaced by the service's environment variable NAME when connecting. */
export const HEADER_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]{0,127})\}/g;

/** Hosts an `http://` remote may use without the explicit opt-in: the proxy's own machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why a remote URL is refused, or null. `http://` needs a loopback host or `allowInsecureHttp`. */
export function remoteUrlProblem(value: unknown, allowInsecureHttp: boolean): string | null {
  if (typeof value !== 'string' || value.length > 2000) return 'remote.url must be a URL of at most 2000 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'remote.url must be an absolute https:// URL';
  }
  if (url.username || url.password) return 'remote.url must not carry credentials: put them in remote.headers with a ${VARIABLE} reference';
  if (url.protocol === 'https:') return null;
  if (url.protocol !== 'http:') return 'remote.url must be an https:// URL';
  if (isLoopbackHost(url.hostname) || allowInsecureHttp) return null;
  return 'remote.url must be https:// (http:// is allowed for loopback, or with remote.allowInsecureHttp: true)';
}

/** Why a header map is refused: names must be tokens and not ones the proxy sets, values strings. */
export function remoteHeaderProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['remote.headers must be an object of string values'];
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) return [`remote.headers may hold at most ${MAX_HEADERS} headers`];
  const problems: string[] = [];
  for (const [name, item] of entries) {
    if (!HEADER_NAME.test(name)) problems.push(`remote.headers.${name} is not a valid header name`);
    else if (RESERVED_REMOTE_HEADERS.includes(name.toLowerCase()))
      problems.push(`remote.headers.${name} is set by the proxy and cannot be configured`);
    else if (typeof item !== 'string') problems.push(`remote.headers.${name} must be a string`);
    else if (item.length > MAX_HEADER_VALUE_LENGTH || /[\r\n\0]/.test(item)) {
      problems.push(`remote.headers.${name} must be one line of at most ${MAX_HEADER_VALUE_LENGTH} characters`);
    }
  }
  return problems;
}

@ValidatorConstraint({ name: 'remoteUrl' })
export class RemoteUrlConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return remoteUrlProblem(value, allowsInsecure(args)) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return remoteUrlProblem(args.value, allowsInsecure(args)) ?? '';
  }
}

@ValidatorConstraint({ name: 'remoteHeaders' })
export class RemoteHeadersConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return remoteHeaderProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return remoteHeaderProblems(args.value).join('; ');
  }
}

function allowsInsecure(args: ValidationArguments): boolean {
  return (args.object as { allowInsecureHttp?: unknown }).allowInsecureHttp === true;
}

/** The proxy speaks OAuth to a remote over Streamable HTTP only (the 2024-11-05 SSE transport predates the MCP authorization spec). */
@ValidatorConstraint({ name: 'remoteOAuthProtocol' })
export class RemoteOAuthProtocolConstraint implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    const dto = args.object as { auth?: unknown; protocol?: unknown };
    return dto.auth !== 'oauth' || dto.protocol === undefined || dto.protocol === 'streamable-http';
  }

  defaultMessage(): string {
    return 'remote.auth "oauth" needs remote.protocol "streamable-http"';
  }
}
