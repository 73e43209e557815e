import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UiSessionsModule } from '../core/auth/ui-sessions.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Named users with passwords and roles, so operators and viewers need not share the admin key; the auth core asks
 * them through `UserDirectory` (CredentialVerifiersModule hands it over).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), SupervisorModule, UiSessionsModule],
  controllers: [UsersController],
  providers: [UsersService, { provide: PasswordHasher, useFactory: () => new PasswordHasher() }],
  exports: [UsersService],
})
export class UsersModule {}
