import { DynamicModule, Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnv, withSecretFiles } from './env.schema';
import { ENV_KEYS_SET, RuntimeSettings } from './runtime-settings';
import { APP_SECRETS, AppSecrets, loadOrCreateSecrets } from './secrets';
import { defaultStatePath, StatePathKey, UNDER_DATA_DIR } from './state-paths';

@Global()
@Module({})
export class AppConfigModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    @Inject(ENV_KEYS_SET) private readonly setInEnvironment: ReadonlySet<string>,
  ) {}

  /** An older install's database, logs or clones found at their former default places: say once how to move them. */
  onModuleInit(): void {
    for (const key of Object.keys(UNDER_DATA_DIR) as StatePathKey[]) {
      if (this.setInEnvironment.has(key)) continue;
      const { notice } = defaultStatePath(key, this.config.get('DATA_DIR'));
      if (notice) new Logger('Config').warn(notice);
    }
  }

  /** Validation runs here, when the app module is built, so a bad value stops start-up before anything listens. */
  static async forRoot(): Promise<DynamicModule> {
    // Seen before validation fills the defaults in (and Nest copies them into process.env).
    let setInEnvironment: ReadonlySet<string> = new Set();
    const validate = (input: Record<string, string | undefined>) => {
      // A key given as <KEY>_FILE counts as set in the environment.
      const { source } = withSecretFiles(input);
      setInEnvironment = new Set(Object.keys(source).filter((key) => (source[key] ?? '').trim() !== ''));
      return validateEnv(input);
    };
    return {
      module: AppConfigModule,
      // Awaited here so an invalid environment fails before Nest starts building the app.
      imports: [await ConfigModule.forRoot({ validate, cache: true, expandVariables: false })],
      providers: [
        AppConfig,
        { provide: ENV_KEYS_SET, useValue: setInEnvironment },
        RuntimeSettings,
        {
          provide: APP_SECRETS,
          inject: [AppConfig],
          useFactory: (config: AppConfig): AppSecrets => {
            const { secrets, generatedApiKey } = loadOrCreateSecrets(config.dataDir, {
              API_KEY: config.get('API_KEY'),
              JWT_SECRET: config.get('JWT_SECRET'),
              ENCRYPTION_KEY: config.get('ENCRYPTION_KEY'),
              ENCRYPTION_KEY_PREVIOUS: config.get('ENCRYPTION_KEY_PREVIOUS'),
            });
            if (generatedApiKey) announceApiKey(generatedApiKey, config.dataDir);
            return secrets;
          },
        },
      ],
      exports: [AppConfig, APP_SECRETS, RuntimeSettings],
    };
  }
}

/** Printed once, on the console only (not through the structured log, which may be shipped elsewhere). */
function announceApiKey(apiKey: string, dataDir: string): void {
  const line = '='.repeat(72);
  process.stdout.write(
    `\n${line}\n  Admin API key (shown once, stored in ${dataDir}/secrets.json):\n\n    ${apiKey}\n\n` +
      `  Use it as "X-API-Key: <key>" or "Authorization: Bearer <key>", or to log in to the admin UI.\n${line}\n\n`,
  );
  new Logger('Config').log('Generated a new admin API key (printed above)');
}
