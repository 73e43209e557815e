import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  /** The admin API key printed on first start (or set as `API_KEY`). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  apiKey!: string;
}

export interface LoginView {
  /** A UI session JWT to send as `Authorization: Bearer <token>`. */
  token: string;
  /** ISO-8601 time after which the token is refused. */
  expiresAt: string;
}
