import { HEADER_REFERENCE, MASKED_VALUE, RemoteConfigView, RemoteProtocol, remoteUrlProblem } from '@mcp-proxy/shared/dto';
import type { ServiceRemoteEntity } from './service-remote.entity';

/** A remote service that cannot be connected as configured: the message names what to fix. */
export class RemoteSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteSettingsError';
  }
}

/** What a connection to a remote MCP server needs, header values already filled in (secrets: never log them). */
export class RemoteSettings {
  private constructor(
    readonly url: URL,
    readonly protocol: RemoteProtocol,
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  /** Header values reference the service's environment as `${NAME}`; a reference to a missing variable is an error. */
  static resolve(row: ServiceRemoteEntity, templates: Record<string, string>, environment: Record<string, string>): RemoteSettings {
    const problem = remoteUrlProblem(row.url, row.allowInsecureHttp);
    if (problem) throw new RemoteSettingsError(problem);
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(templates)) headers[name] = expandReferences(name, template, environment);
    return new RemoteSettings(new URL(row.url), row.protocol, headers);
  }

  /** The filled-in values, for the service log to mask. */
  get secretValues(): string[] {
    return Object.values(this.headers).filter((value) => value.length >= 4);
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
export function remoteView(row: ServiceRemoteEntity, templates: Record<string, string>): RemoteConfigView {
  const headers = Object.fromEntries(
    Object.entries(templates).map(([name, value]) => [name, isReferenceOnly(value) ? value : MASKED_VALUE]),
  );
  return { url: row.url, protocol: row.protocol, headers, allowInsecureHttp: row.allowInsecureHttp };
}

function isReferenceOnly(value: string): boolean {
  const rest = value.replace(HEADER_REFERENCE, '');
  return rest !== value && /^([A-Za-z]+\s+)?$/.test(rest);
}
