import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { USER_ROLES, UserRole } from './auth.dto';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{1,63}$/;
/** Long enough to resist guessing; no composition rules (NIST SP 800-63B). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export class CreateUserDto {
  /** Lower-case letters, digits, `.`, `_`, `@`, `-`; 2 to 64 characters. */
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 2-64 lower-case letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
  })
  @IsString()
  username!: string;

  @MaxLength(PASSWORD_MAX_LENGTH)
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @IsString()
  password!: string;

  @IsIn(USER_ROLES, { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role!: UserRole;

  /** Service ids or names this user is limited to; absent or null for all. */
  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  services?: string[] | null;
}

/** What an admin may change about a user; a new `password` resets it. */
export class UpdateUserDto {
  @IsOptional()
  @IsIn(USER_ROLES, { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role?: UserRole;

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsArray()
  services?: string[] | null;

  @IsOptional()
  @MaxLength(PASSWORD_MAX_LENGTH)
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @IsString()
  password?: string;
}

/** A signed-in user changing their own password. */
export class ChangePasswordDto {
  @MaxLength(PASSWORD_MAX_LENGTH)
  @IsString()
  currentPassword!: string;

  @MaxLength(PASSWORD_MAX_LENGTH)
  @MinLength(PASSWORD_MIN_LENGTH, { message: `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @IsString()
  newPassword!: string;
}

export interface UserView {
  id: string;
  username: string;
  role: UserRole;
  /** Service ids the user is limited to; null for all. */
  services: string[] | null;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}
