import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { AuthorizationsService } from './authorizations.service';
import { ConsentController } from './consent.controller';
import { AppConfig } from '../core/config/app-config';
import { RateLimiter, sharedRateLimitRedis } from '../proxy/limits/rate-limiter';
import { OAUTH_RATE_LIMITER, OAuthHttpHandler } from './oauth-http.handler';
import { OAuthSweeper } from './oauth-sweeper';
import { OAuthClientsService } from './oauth-clients.service';
import { OAuthTokensService } from './oauth-tokens.service';
import { OAuthUrls } from './oauth-urls';
import { OAUTH_ENTITIES } from './oauth.entities';
import { SigningKeysService } from './signing-keys.service';

/**
 * OAuth 2.1 for `oauth` services: the authorization server (metadata, registration,
 * authorize, token, revoke, keys), the consent API of the admin portal, and the access-token
 * verifier auth's CredentialRegistry uses (through CredentialVerifiersModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature(OAUTH_ENTITIES), SupervisorModule, AuditModule],
  controllers: [ConsentController],
  providers: [
    OAuthUrls,
    OAuthClientsService,
    SigningKeysService,
    OAuthTokensService,
    AuthorizationsService,
    OAuthHttpHandler,
    OAuthSweeper,
    // Shared through Redis when configured, like the MCP limits: one budget per address for every instance.
    {
      provide: OAUTH_RATE_LIMITER,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => new RateLimiter(await sharedRateLimitRedis(config)),
    },
  ],
  exports: [OAuthTokensService],
})
export class OAuthModule {}
