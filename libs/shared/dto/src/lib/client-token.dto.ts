import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A per-client token for the MCP endpoints; `services`/`tools` absent = all, empty list = none. */
export class CreateClientTokenDto {
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  label!: string;

  /** Service names or ids; a group as `g/<name>` (`g/all` for `/mcp`). */
  @IsOptional()
  @ArrayMaxSize(200)
  @MaxLength(100, { each: true })
  @IsString({ each: true })
  @IsArray()
  services?: string[];

  /** Tool names (or globs) the client may see and call; group tools by their exposed names. */
  @IsOptional()
  @ArrayMaxSize(500)
  @MaxLength(200, { each: true })
  @IsString({ each: true })
  @IsArray()
  tools?: string[];

  /** Work (tools/call, resources/read, prompts/get, completion/complete) per minute over all services; absent or 0: none of its own. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rateLimit?: number;
}

export class UpdateClientTokenDto {
  @IsOptional()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  label?: string;

  /** As at creation; 0 removes the token's own limit. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rateLimit?: number;
}
