import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config.service';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RolesGuard } from './roles.guard';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_SECRETS],
      useFactory: (secrets: AppSecrets) => ({ secret: secrets.jwtSecret }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    {
      provide: FailedAuthLimiter,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new FailedAuthLimiter(config.get('AUTH_FAILURE_LIMIT')),
    },
    // In this order: who the caller is, then what their role allows.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, FailedAuthLimiter],
})
export class AuthModule {}
