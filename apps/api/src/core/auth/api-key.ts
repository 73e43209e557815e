import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import type { Principal } from './principal';

/** The admin API key (`API_KEY`): the first credential of the list in credential-registry.ts, and the key of an API-key login. */
@Injectable()
export class ApiKey {
  private readonly digest: Buffer;

  constructor(@Inject(APP_SECRETS) secrets: AppSecrets) {
    this.digest = digest(secrets.apiKey);
  }

  /** Constant-time: both sides are hashed to equal length before comparing. */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.digest);
  }

  /** Who holds the key: a fresh object each time, since callers own what they are given. */
  static holder(): Principal {
    return { kind: 'admin', id: 'admin', role: 'admin' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
