import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { IdentityController } from './identity.controller';
import { OidcClient } from './oidc-client';
import { ProviderSignInService } from './provider-sign-in.service';
import { SignInCookies } from './sign-in-cookies';

/**
 * Sign-in through the team's OpenID provider (OIDC_ISSUER): the portal's "Sign in with…", which the OAuth
 * consent screen uses too. Users are UsersModule's (IdentityUsersService); sessions are the core's.
 */
@Module({
  imports: [UsersModule],
  controllers: [IdentityController],
  providers: [OidcClient, ProviderSignInService, SignInCookies],
})
export class IdentityModule {}
