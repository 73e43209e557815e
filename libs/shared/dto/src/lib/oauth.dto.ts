import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';

/** The owner's answer on the consent screen: which of the service's tools the client may use. */
export class ApproveConsentDto {
  /** Absent: every tool; a list: only these (names or globs). */
  @IsOptional()
  @ArrayMaxSize(500)
  @MaxLength(200, { each: true })
  @IsString({ each: true })
  @IsArray()
  tools?: string[];
}
