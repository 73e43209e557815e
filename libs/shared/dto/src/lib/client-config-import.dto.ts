/**
 * Importing the MCP server list a desktop client keeps (`mcpServers` of Claude Desktop, Cursor and
 * Windsurf; `servers` and `inputs` of VS Code): the request, and the preview or result it answers.
 */
import { IsBoolean, IsOptional, Validate, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import type { ServiceView } from './service-view.interface';

/** Longest config text accepted: a client's whole settings file fits many times over. */
export const CLIENT_CONFIG_MAX_LENGTH = 256 * 1024;
const MAX_VALUES = 100;
const VALUE_KEY = /^[A-Za-z0-9_.-]{1,100}$/;

@ValidatorConstraint({ name: 'clientConfigText' })
export class ClientConfigTextConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'string') return value.trim().length > 0 && value.length <= CLIENT_CONFIG_MAX_LENGTH;
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be the client's JSON (text or object, at most ${CLIENT_CONFIG_MAX_LENGTH} characters)`;
  }
}

@ValidatorConstraint({ name: 'clientConfigValues' })
export class ClientConfigValuesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const entries = Object.entries(value);
    return (
      entries.length <= MAX_VALUES && entries.every(([key, item]) => VALUE_KEY.test(key) && typeof item === 'string' && item.length <= 8192)
    );
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an object of at most ${MAX_VALUES} string values keyed by input id`;
  }
}

export class ImportClientConfigDto {
  /** The client's configuration file, as text (comments allowed, as VS Code allows them) or as an object. */
  @Validate(ClientConfigTextConstraint)
  config!: string | Record<string, unknown>;

  /** Values for the `${input:id}` placeholders (VS Code `inputs`), by id. */
  @IsOptional()
  @Validate(ClientConfigValuesConstraint)
  values?: Record<string, string>;

  /** Only show what would be created. */
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  /** Start every created service (default true). */
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

/** An `${input:id}` placeholder the config uses: VS Code's `inputs` describe it. */
export interface ClientConfigVariableView {
  id: string;
  description: string | null;
  /** Entered in a masked field (VS Code's `password: true`). */
  secret: boolean;
  /** A value came with the request (or the input has a default). */
  provided: boolean;
}

export interface ClientConfigEntryView {
  /** The entry's key in the client's file. */
  key: string;
  /** The service it becomes. */
  name: string;
  transport: 'stdio' | 'remote';
  command: string | null;
  args: string[];
  url: string | null;
  /** Variable names with values masked. */
  environment: Record<string, string>;
  /** Header names with values masked. */
  headers: Record<string, string>;
  /** The `${input:…}` ids this entry uses. */
  variables: string[];
  /** Why this entry cannot be created (a name clash, a refused command …); empty when it can. */
  problems: string[];
  /** After a real import: the service created. */
  service?: ServiceView;
}

export interface ClientConfigImportView {
  dryRun: boolean;
  /** Which shape was read: `mcpServers` (Claude Desktop, Cursor, Windsurf) or `servers` (VS Code). */
  format: 'mcpServers' | 'servers';
  entries: ClientConfigEntryView[];
  variables: ClientConfigVariableView[];
  /** True when every entry can be created (no problems and every variable given). */
  ready: boolean;
}
