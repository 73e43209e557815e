import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { RESPONSE_MODES, ResponseMode } from './service.enums';

const RENAME_FIELDS = ['name', 'description'];

/** Why a renames map is refused: its keys are free (tool names), each value only `{ name?, description? }` of strings. */
export function groupRenameProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([tool, rename]): string[] => {
    if (rename === null || typeof rename !== 'object' || Array.isArray(rename))
      return [`renames.${tool} must be an object with name and/or description`];
    return Object.entries(rename).flatMap(([field, text]) => {
      if (!RENAME_FIELDS.includes(field)) return [`renames.${tool}.${field}: property ${field} should not exist`];
      if (typeof text !== 'string' || text.length > 2000) return [`renames.${tool}.${field} must be a string of at most 2000 characters`];
      return [];
    });
  });
}

@ValidatorConstraint({ name: 'groupRenames' })
export class GroupRenamesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return groupRenameProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return groupRenameProblems(args.value).join('; ');
  }
}

export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** One service in a group, with what of it the group shows. */
export class GroupMemberDto {
  /** The service's id or name. */
  @MaxLength(100)
  @IsString()
  service!: string;

  /** Names (or globs) of the member's own tools and prompts to show; empty = all. */
  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  allow?: string[];

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  deny?: string[];

  /** By the member's own name: another name (still prefixed) and/or another description. */
  @IsOptional()
  @IsObject()
  @Validate(GroupRenamesConstraint)
  renames?: Record<string, { name?: string; description?: string }>;
}

export class GroupSettingsDto {
  /** Requests per minute per client; 0 = unlimited. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rateLimit?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  requestTimeoutSec?: number;

  /** Longest one member may take in a merged list before it is left out of it. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  memberTimeoutSec?: number;

  @IsOptional()
  @IsIn(RESPONSE_MODES)
  responseMode?: ResponseMode;

  /** tools/list shows only `search_tools` and `call_tool`, which find and run the members' tools. */
  @IsOptional()
  @IsBoolean()
  toolSearch?: boolean;
}

export class CreateGroupDto {
  @Matches(GROUP_NAME_PATTERN, { message: 'name must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit' })
  @IsNotIn(['all'], { message: 'name "all" is the built-in group of every service' })
  @IsString()
  name!: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Between service and tool in exposed names (`everything__echo`). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,4}$/, { message: 'separator must be 1-4 of A-Z a-z 0-9 _ . -' })
  separator?: string;

  @ValidateNested({ each: true })
  @Type(() => GroupMemberDto)
  @ArrayMaxSize(100)
  @IsArray()
  members!: GroupMemberDto[];

  /** Exposed names (or globs, `everything__*`) the group shows; empty = all. */
  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  allow?: string[];

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  deny?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => GroupSettingsDto)
  settings?: GroupSettingsDto;
}

/** Every field optional; `members`, `allow` and `deny` replace the whole list when given. */
export class UpdateGroupDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,4}$/, { message: 'separator must be 1-4 of A-Z a-z 0-9 _ . -' })
  separator?: string;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => GroupMemberDto)
  @ArrayMaxSize(100)
  @IsArray()
  members?: GroupMemberDto[];

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  allow?: string[];

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  deny?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => GroupSettingsDto)
  settings?: GroupSettingsDto;
}
