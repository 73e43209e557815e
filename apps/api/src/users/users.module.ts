import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UiSessionsModule } from '../core/auth/ui-sessions.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { PasswordHasher } from './password-hasher';
import { IdentityUsersService } from './identity-users.service';
import { UserIdentityEntity } from './user-identity.entity';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Named users with passwords and roles (or accounts at the team's OpenID provider: IdentityUsersService), so operators and viewers need not share the admin key; the auth core asks
 * them through `UserDirectory` (CredentialVerifiersModule hands it over).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserIdentityEntity]), SupervisorModule, UiSessionsModule],
  controllers: [UsersController],
  providers: [UsersService, IdentityUsersService, { provide: PasswordHasher, useFactory: () => new PasswordHasher() }],
  exports: [UsersService, IdentityUsersService],
})
export class UsersModule {}
