import {
  HEADER_REFERENCE,
  MASKED_VALUE,
  RemoteAuthMode,
  RemoteConfigView,
  RemoteOAuthConnection,
  RemoteProtocol,
  remoteUrlProblem,
} from '@mcp-proxy/shared/dto';
import type { ServiceRemoteEntity } from './service-remote.entity';

/** A remote service that cannot be connected as configured: the message names what to fix. */
export class RemoteSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteSettingsError';
  }
}

/** `remote.oauth` as stored (opened): the client secret is a secret. */
export interface RemoteOAuthSettings {
  connection: RemoteOAuthConnection;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
}

/**
 * Where a link to an `auth: "oauth"` remote gets its `Authorization: Bearer` value (the upstream-auth
 * module's connections): asked before each request, and once more after the remote answers 401.
 */
export interface RemoteBearer {
  token(): Promise<string>;
  renew(refused: string): Promise<string>;
}

/** What a connection to a remote MCP server needs, header values already filled in (secrets: never log them). */
export class RemoteSettings {
  private constructor(
    readonly url: URL,
    readonly protocol: RemoteProtocol,
    readonly headers: Readonly<Record<string, string>>,
    readonly auth: RemoteAuthMode = 'headers',
    readonly oauth: RemoteOAuthSettings | null = null,
  ) {}

  /** Header values reference the service's environment as `${NAME}`; a reference to a missing variable is an error. */
  static resolve(
    row: ServiceRemoteEntity,
    templates: Record<string, string>,
    environment: Record<string, string>,
    oauth: RemoteOAuthSettings | null = null,
  ): RemoteSettings {
    const problem = remoteUrlProblem(row.url, row.allowInsecureHttp);
    if (problem) throw new RemoteSettingsError(problem);
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(templates)) headers[name] = expandReferences(name, template, environment);
    const auth = row.auth ?? 'headers';
    return new RemoteSettings(new URL(row.url), row.protocol, headers, auth, auth === 'oauth' ? oauth : null);
  }

  /** `auth: "oauth"`: set on the link of one connection (see withBearer); null on the service's own link. */
  bearer: RemoteBearer | null = null;

  /** The same remote, spoken to with one connection's tokens. */
  withBearer(bearer: RemoteBearer): RemoteSettings {
    const copy = new RemoteSettings(this.url, this.protocol, this.headers, this.auth, this.oauth);
    copy.bearer = bearer;
    return copy;
  }

  /** The filled-in values, for the service log to mask. */
  get secretValues(): string[] {
    const values = [...Object.values(this.headers), this.oauth?.clientSecret ?? ''];
    return values.filter((value) => value.length >= 4);
  }
}

function expandReferences(name: string, template: string, environment: Record<string, string>): string {
  return template.replace(HEADER_REFERENCE, (_match, variable: string) => {
    const value = environment[variable];
    if (value === undefined)
      throw new RemoteSettingsError(`remote.headers.${name} references \${${variable}}, which is not in the service's environment`);
    return value;
  });
}

/**
 * A value that is only `${NAME}` references, perhaps after a scheme word (`Bearer ${TOKEN}`), shows as it is:
 * the secret is in the environment. Any other literal is masked.
 */
export function remoteView(
  row: ServiceRemoteEntity,
  templates: Record<string, string>,
  oauth: RemoteOAuthSettings | null = null,
): RemoteConfigView {
  const headers = Object.fromEntries(
    Object.entries(templates).map(([name, value]) => [name, isReferenceOnly(value) ? value : MASKED_VALUE]),
  );
  const auth = row.auth ?? 'headers';
  return {
    url: row.url,
    protocol: row.protocol,
    headers,
    allowInsecureHttp: row.allowInsecureHttp,
    auth,
    oauth:
      auth === 'oauth' && oauth
        ? {
            connection: oauth.connection,
            clientId: oauth.clientId ?? null,
            clientSecret: oauth.clientSecret ? MASKED_VALUE : null,
            scopes: oauth.scopes ?? null,
          }
        : null,
  };
}

function isReferenceOnly(value: string): boolean {
  const rest = value.replace(HEADER_REFERENCE, '');
  return rest !== value && /^([A-Za-z]+\s+)?$/.test(rest);
}
