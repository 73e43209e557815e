import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import { AppEnv } from './env.schema';

/** Typed, read-only access to the validated environment. The only way code reads settings. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<AppEnv, true>) {}

  get<K extends keyof AppEnv>(key: K): AppEnv[K] {
    return this.config.get(key, { infer: true });
  }

  get dataDir(): string {
    return resolve(this.get('DATA_DIR'));
  }

  get isPostgres(): boolean {
    return /^postgres(ql)?:\/\//.test(this.get('DATABASE_URL'));
  }
}
