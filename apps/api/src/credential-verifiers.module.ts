import { Module } from '@nestjs/common';
import { ClientTokensModule } from './client-tokens/client-tokens.module';
import { ClientTokensService } from './client-tokens/client-tokens.service';
import { CREDENTIAL_VERIFIERS, CredentialVerifiers } from './core/auth/credential-registry';
import { OAuthModule } from './oauth/oauth.module';
import { OAuthTokensService } from './oauth/oauth-tokens.service';
import { UsersModule } from './users/users.module';
import { UsersService } from './users/users.service';

/**
 * The feature modules' credential verifiers, handed to the auth core (which imports no feature) as
 * CREDENTIAL_VERIFIERS. Which credential each one checks, and in what order, is in
 * core/auth/credential-registry.ts.
 */
@Module({
  imports: [UsersModule, ClientTokensModule, OAuthModule],
  providers: [
    {
      provide: CREDENTIAL_VERIFIERS,
      inject: [UsersService, ClientTokensService, OAuthTokensService],
      useFactory: (users: UsersService, clientTokens: ClientTokensService, oauthAccessTokens: OAuthTokensService): CredentialVerifiers => ({
        users,
        clientTokens,
        oauthAccessTokens,
      }),
    },
  ],
  exports: [CREDENTIAL_VERIFIERS],
})
export class CredentialVerifiersModule {}
