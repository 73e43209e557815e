import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { LOG_TAIL_MAX } from './service-runtime.interface';

/** `GET /api/services/:id/logs?tail=N` */
export class ServiceLogsQueryDto {
  /** How many of the newest lines to return (default 200). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LOG_TAIL_MAX)
  tail?: number;
}
