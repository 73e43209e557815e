import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotIn,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { RESERVED_SERVICE_NAMES, RESERVED_SERVICE_NAMES_TEXT } from './routes';
import { SERVICE_NAME_PATTERN } from './service.dto';

/** The registry's own rule for entry names: `namespace/name`. */
export const REGISTRY_SERVER_NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;
/** A version as the registry stores it: no ranges, no spaces, no path separators. */
export const REGISTRY_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,254}$/;
export const REGISTRY_OPTION_PATTERN = /^(package|remote):\d{1,3}$/;
/** The registry's own ceiling for one page. */
export const REGISTRY_PAGE_MAX = 100;

const MAX_VALUES = 100;
const MAX_VALUE_LENGTH = 8 * 1024;
const VALUE_KEY = /^(env|arg|header|url)\.[A-Za-z0-9._-]{1,200}$/;

/** Why a map of install values is refused: keys as the option's fields name them, values one string each. */
export function registryValuesProblems(value: unknown, field = 'values'): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${field} must be an object of string values`];
  const entries = Object.entries(value);
  if (entries.length > MAX_VALUES) return [`${field} may hold at most ${MAX_VALUES} values`];
  const problems: string[] = [];
  for (const [key, item] of entries) {
    if (!VALUE_KEY.test(key)) problems.push(`${field}.${key} is not a field key (env.NAME, arg.…, header.…, url.…)`);
    else if (typeof item !== 'string') problems.push(`${field}.${key} must be a string`);
    else if (item.length > MAX_VALUE_LENGTH || /[\0]/.test(item)) {
      problems.push(`${field}.${key} must be at most ${MAX_VALUE_LENGTH} characters`);
    }
  }
  return problems;
}

@ValidatorConstraint({ name: 'registryValues' })
export class RegistryValuesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return registryValuesProblems(value, args.property).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return registryValuesProblems(args.value, args.property).join('; ');
  }
}

/** `GET /api/registry/servers`: the registry's own paging and search, passed on. */
export class RegistryServersQueryDto {
  /** Substring of the entry's name (and, on current registries, its description). */
  @IsOptional()
  @MaxLength(200)
  @IsString()
  search?: string;

  /** The previous page's `nextCursor`, as it came. */
  @IsOptional()
  @MaxLength(500)
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(REGISTRY_PAGE_MAX)
  limit?: number;
}

/** `GET /api/registry/servers/:name/versions/:version`: one version (or `latest`) of one entry, name URL-encoded. */
export class RegistryEntryParamsDto {
  @MaxLength(200)
  @Matches(REGISTRY_SERVER_NAME_PATTERN, { message: 'name must be a registry name like io.github.owner/server' })
  @IsString()
  name!: string;

  @Matches(REGISTRY_VERSION_PATTERN, { message: 'version must be an exact version like 1.2.3, or latest' })
  @IsString()
  version!: string;
}

/** `POST /api/registry/install`: a registry entry's version turned into a service. */
export class InstallFromRegistryDto {
  /** The entry's name (`io.github.owner/server`). */
  @MaxLength(200)
  @Matches(REGISTRY_SERVER_NAME_PATTERN, { message: 'server must be a registry name like io.github.owner/server' })
  @IsString()
  server!: string;

  /** Default: the registry's latest version (which is then pinned). */
  @IsOptional()
  @Matches(REGISTRY_VERSION_PATTERN, { message: 'version must be an exact version like 1.2.3' })
  @IsString()
  version?: string;

  /** `package:<index>` or `remote:<index>`; default: the first installable one. */
  @IsOptional()
  @Matches(REGISTRY_OPTION_PATTERN, { message: 'option must be package:<index> or remote:<index>' })
  @IsString()
  option?: string;

  /** The service's name; default: made from the entry's name. */
  @IsOptional()
  @Matches(SERVICE_NAME_PATTERN, { message: 'name must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit' })
  @IsNotIn([...RESERVED_SERVICE_NAMES], { message: `name must not be a reserved word (${RESERVED_SERVICE_NAMES_TEXT})` })
  name?: string;

  /** The option's fields (`GET /api/registry/servers` lists their keys); required ones must be given or have a default. */
  @IsOptional()
  @Validate(RegistryValuesConstraint)
  values?: Record<string, string>;

  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

/** `POST /api/registry/installs/:id/update`: to another version of the same entry (default: the latest). */
export class UpdateFromRegistryDto {
  @IsOptional()
  @Matches(REGISTRY_VERSION_PATTERN, { message: 'version must be an exact version like 1.2.3' })
  @IsString()
  version?: string;

  /** Values for fields the new version adds (or changes); the others keep what was entered at install. Admins only. */
  @IsOptional()
  @Validate(RegistryValuesConstraint)
  values?: Record<string, string>;
}
