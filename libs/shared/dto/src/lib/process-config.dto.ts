import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SANDBOX_FILESYSTEM_MODES, SANDBOX_USER_MODES, SandboxFilesystemMode, SandboxUserMode } from './service-limits';
import { ISOLATION_MODES, IsolationMode } from './service.enums';

/** Every limit: null takes the proxy's default, 0 turns the limit off. */
export class ServiceLimitsDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  memoryMb?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  cpuPercent?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxProcesses?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  maxOpenFiles?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  cpuSeconds?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  addressSpaceMb?: number | null;
}

export class ServiceSandboxDto {
  @IsOptional()
  @IsIn(SANDBOX_USER_MODES)
  user?: SandboxUserMode | null;

  @IsOptional()
  @IsIn(SANDBOX_FILESYSTEM_MODES)
  filesystem?: SandboxFilesystemMode | null;
}

/** `pool` isolation: children kept started and initialized ahead of sessions, and the most at once (ready or in use). */
export class SessionPoolDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  min?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max?: number;
}

export class ProcessConfigDto {
  @IsOptional()
  @MaxLength(1000)
  @IsNotEmpty()
  @IsString()
  command?: string;

  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(200)
  @IsArray()
  args?: string[];

  @IsOptional()
  @MaxLength(1000)
  @IsString()
  cwd?: string | null;

  @IsOptional()
  @IsBoolean()
  autoRestart?: boolean;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxRestarts?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number | null;

  @IsOptional()
  @IsIn(ISOLATION_MODES)
  isolation?: IsolationMode;

  /** Restarts allowed within `restartWindowSec` before the service is parked as `crashed`. */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86_400)
  restartWindowSec?: number;

  /** MCP `ping` (or HTTP probe) interval; 0 turns the responsiveness check off. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  healthCheckIntervalSec?: number;

  /** Resident memory of the child's process tree above which it is restarted; null = no limit. */
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(1_048_576)
  memoryLimitMb?: number | null;

  /** `session` isolation: most children at once, and idle time after which one is reaped. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxSessions?: number;

  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86_400)
  sessionIdleTimeoutSec?: number;

  /** A key left out keeps its current value. */
  @IsOptional()
  @ValidateNested()
  @Type(() => SessionPoolDto)
  pool?: SessionPoolDto;

  /** Resource limits; a key left out keeps its current value. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ServiceLimitsDto)
  limits?: ServiceLimitsDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => ServiceSandboxDto)
  sandbox?: ServiceSandboxDto;
}
