import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeSettings } from '../config/runtime-settings';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CredentialWatch } from './credential-watch';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RolesGuard } from './roles.guard';
import { UiSessionEntity } from './ui-session.entity';
import { UiSessionsService } from './ui-sessions.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([UiSessionEntity]),
    JwtModule.registerAsync({
      inject: [APP_SECRETS],
      useFactory: (secrets: AppSecrets) => ({ secret: secrets.jwtSecret }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    UiSessionsService,
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
  exports: [AuthService, UiSessionsService, CredentialWatch, FailedAuthLimiter],
})
export class AuthModule {}
