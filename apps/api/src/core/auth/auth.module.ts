import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { RuntimeSettings } from '../config/runtime-settings';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { ApiKey } from './api-key';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CredentialCache } from './credential-cache';
import { CredentialNews } from './credential-news';
import { CredentialRegistry } from './credential-registry';
import { CredentialWatch } from './credential-watch';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RolesGuard } from './roles.guard';
import { SessionCookie } from './session-cookie';
import { SessionTokens } from './session-tokens';
import { UiSessionsModule } from './ui-sessions.module';

/**
 * Authentication for the whole app (global): the credential registry (credential-registry.ts lists
 * every credential and its verifier), the REST guards, login, UI sessions, failure counting and the
 * re-checks of long streams. `verifiers` is a module exporting CREDENTIAL_VERIFIERS, made of the
 * feature modules that verify their own credentials (the app's CredentialVerifiersModule): given by
 * the app, since the core imports no feature.
 */
@Module({})
export class AuthModule {
  static forRoot(verifiers: Type<unknown>): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        verifiers,
        UiSessionsModule,
        JwtModule.registerAsync({
          inject: [APP_SECRETS],
          useFactory: (secrets: AppSecrets) => ({ secret: secrets.jwtSecret }),
        }),
      ],
      controllers: [AuthController],
      providers: [
        ApiKey,
        SessionTokens,
        SessionCookie,
        AuthService,
        CredentialRegistry,
        { provide: CredentialCache, useFactory: () => new CredentialCache() },
        CredentialNews,
        CredentialWatch,
        {
          provide: FailedAuthLimiter,
          inject: [RuntimeSettings],
          useFactory: (settings: RuntimeSettings) => new FailedAuthLimiter(() => settings.get('AUTH_FAILURE_LIMIT')),
        },
        // In this order: who the caller is, then what their role allows.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [CredentialRegistry, CredentialWatch, FailedAuthLimiter, AuthService, SessionCookie],
    };
  }
}
