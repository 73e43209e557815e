import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNotIn,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ServiceEnvironmentConstraint } from './environment.validator';
import { ToolLimitsConstraint } from './tool-limits.validator';
import { RESERVED_PROXY_PATHS, RESERVED_SERVICE_NAMES, RESERVED_SERVICE_NAMES_TEXT } from './routes';
import { RemoteHeadersConstraint, RemoteOAuthProtocolConstraint, RemoteUrlConstraint } from './remote.validator';
import { ProcessConfigDto } from './process-config.dto';
import {
  DRIFT_POLICIES,
  DriftPolicy,
  REMOTE_AUTH_MODES,
  REMOTE_OAUTH_CONNECTIONS,
  REMOTE_PROTOCOLS,
  RemoteAuthMode,
  RemoteOAuthConnection,
  RemoteProtocol,
  RESPONSE_MODES,
  ResponseMode,
  SERVICE_AUTH_MODES,
  SERVICE_TRANSPORTS,
  ServiceAuthMode,
  ServiceTransport,
} from './service.enums';

export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A repository URL to clone: http(s), no credentials in it (the token comes from GITHUB_TOKEN, so it
 * is never stored or shown), no spaces. The same rule for a deploy and for a service's `repository`,
 * so whatever a deploy stored can be exported and imported again.
 */
export const REPOSITORY_URL_PATTERN = /^https?:\/\/[^\s/@]+\/[^\s@]+$/;

export class RepositoryDto {
  @MaxLength(500)
  @Matches(REPOSITORY_URL_PATTERN, {
    message: 'url must be an http(s) URL without credentials (set GITHUB_TOKEN for private repositories)',
  })
  @IsString()
  url!: string;

  @IsOptional()
  @Matches(/^[\w./-]{1,200}$/, { message: 'branch must be a branch name' })
  branch?: string;

  @IsOptional()
  @MaxLength(300)
  @IsString()
  entryPoint?: string;

  /** Deploys run the dependencies' install scripts (`npm ci` without `--ignore-scripts`). Default false. */
  @IsOptional()
  @IsBoolean()
  allowScripts?: boolean;
}

export class ProxyConfigDto {
  @IsOptional()
  @Matches(/^\/mcp\/[a-z0-9][a-z0-9-]{0,62}$/, { message: 'path must look like /mcp/<name>' })
  @IsNotIn([...RESERVED_PROXY_PATHS], { message: `path must not use a reserved word (/mcp/<word> for ${RESERVED_SERVICE_NAMES_TEXT})` })
  path?: string;

  /**
   * Work (tools/call, resources/read, prompts/get, completion/complete) per minute per client; 0 =
   * unlimited. Everything else (initialize, notifications, ping, lists) has ten times this ceiling.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rateLimit?: number;

  /** Tool name or glob → `tools/call`s per minute per client, on top of `rateLimit`; `{}` for none. */
  @IsOptional()
  @Validate(ToolLimitsConstraint)
  toolLimits?: Record<string, number>;

  @IsOptional()
  @IsBoolean()
  cache?: boolean;

  /** Results of tools the server marks `readOnlyHint` are reused for this long; 0 (default) turns it off. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  toolResultTtlSec?: number;

  /** Longest a client request may wait for the server before it gets a time-out error. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  requestTimeoutSec?: number;

  /** Streamable HTTP replies: `auto` streams (SSE) only when the request asks for progress; `json`/`sse` force one. */
  @IsOptional()
  @IsIn(RESPONSE_MODES)
  responseMode?: ResponseMode;

  /** `apiKey` (default): static keys and client tokens, no OAuth metadata published; `oauth`: also OAuth 2.1 access tokens. */
  @IsOptional()
  @IsIn(SERVICE_AUTH_MODES)
  auth?: ServiceAuthMode;

  /** When the server's tools differ from the pinned ones: `warn` (default) serves and records, `block` holds them back until approved, `off`. */
  @IsOptional()
  @IsIn(DRIFT_POLICIES, { message: `driftPolicy must be one of ${DRIFT_POLICIES.join(', ')}` })
  driftPolicy?: DriftPolicy;
}

/** What the call history keeps of the service's calls. */
export class CallLogSettingsDto {
  /** Store each call's arguments and result, redacted (the service's secrets, CALL_LOG_REDACT_PATTERNS) and cut; default false. */
  @IsBoolean()
  payloads!: boolean;
}

/**
 * Upstream OAuth (`remote.auth: "oauth"`): the proxy is the OAuth client of the remote server (MCP authorization spec).
 * Without `clientId` the proxy registers itself dynamically (RFC 7591) at the server's authorization server.
 */
export class RemoteOAuthDto {
  @IsIn(REMOTE_OAUTH_CONNECTIONS, { message: `remote.oauth.connection must be one of ${REMOTE_OAUTH_CONNECTIONS.join(', ')}` })
  connection!: RemoteOAuthConnection;

  /** A client the admin registered at the authorization server beforehand. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  clientId?: string;

  /** Sealed at rest, shown masked; sent back masked it keeps the stored one. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  clientSecret?: string;

  /** Scopes to ask for; default: those the server's protected-resource metadata lists. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  scopes?: string[];
}

/** A remote MCP server (`transport: "remote"`): where it is, how to speak to it, what to send with each request. */
export class RemoteConfigDto {
  @Validate(RemoteUrlConstraint)
  url!: string;

  /** Default `streamable-http`; `sse` for servers that only speak the 2024-11-05 HTTP+SSE transport. */
  @IsOptional()
  @IsIn(REMOTE_PROTOCOLS)
  protocol?: RemoteProtocol;

  /** Sent with every request; values may reference the service's environment as `${NAME}`, so secrets stay sealed there. */
  @IsOptional()
  @Validate(RemoteHeadersConstraint)
  headers?: Record<string, string>;

  /** `http://` to a host other than loopback: only with this explicit opt-in. */
  @IsOptional()
  @IsBoolean()
  allowInsecureHttp?: boolean;

  /** Default `headers`; `oauth` needs `oauth`. */
  @IsOptional()
  @IsIn(REMOTE_AUTH_MODES, { message: `remote.auth must be one of ${REMOTE_AUTH_MODES.join(', ')}` })
  @Validate(RemoteOAuthProtocolConstraint)
  auth?: RemoteAuthMode;

  @ValidateIf((dto: RemoteConfigDto) => dto.auth === 'oauth' || dto.oauth !== undefined)
  @ValidateNested()
  @Type(() => RemoteOAuthDto)
  @IsNotEmpty({ message: 'remote.oauth is required when remote.auth is "oauth"' })
  oauth?: RemoteOAuthDto;
}

export class CreateServiceDto {
  @Matches(SERVICE_NAME_PATTERN, {
    message: 'name must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit',
  })
  @IsNotIn([...RESERVED_SERVICE_NAMES], { message: `name must not be a reserved word (${RESERVED_SERVICE_NAMES_TEXT})` })
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(SERVICE_TRANSPORTS)
  transport?: ServiceTransport;

  @ValidateIf((dto: CreateServiceDto) => (!dto.process?.command && dto.transport !== 'remote') || dto.repository !== undefined)
  @ValidateNested()
  @Type(() => RepositoryDto)
  @IsNotEmpty({ message: 'repository or process.command is required' })
  repository?: RepositoryDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProcessConfigDto)
  process?: ProcessConfigDto;

  @ValidateIf((dto: CreateServiceDto) => dto.transport === 'remote' || dto.remote !== undefined)
  @ValidateNested()
  @Type(() => RemoteConfigDto)
  @IsNotEmpty({ message: 'remote is required when transport is "remote"' })
  remote?: RemoteConfigDto;

  @IsOptional()
  @Validate(ServiceEnvironmentConstraint)
  environment?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProxyConfigDto)
  proxy?: ProxyConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => CallLogSettingsDto)
  callLog?: CallLogSettingsDto;

  /** Start the service as soon as it is created. */
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

/** Every field optional; `name` cannot change once a service exists (clients use it in URLs). */
export class UpdateServiceDto {
  @IsOptional()
  @IsIn(SERVICE_TRANSPORTS)
  transport?: ServiceTransport;

  @IsOptional()
  @ValidateNested()
  @Type(() => RepositoryDto)
  repository?: RepositoryDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProcessConfigDto)
  process?: ProcessConfigDto;

  /** Replaces the remote settings; a header value left as the masked `********` keeps the stored one. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RemoteConfigDto)
  remote?: RemoteConfigDto;

  /** Replaces the whole environment; a value of `null` is not accepted (remove the key instead). */
  @IsOptional()
  @Validate(ServiceEnvironmentConstraint)
  environment?: Record<string, string>;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProxyConfigDto)
  proxy?: ProxyConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => CallLogSettingsDto)
  callLog?: CallLogSettingsDto;
}
