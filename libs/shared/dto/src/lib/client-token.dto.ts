import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

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
}

export class UpdateClientTokenDto {
  @IsOptional()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  label?: string;
}
