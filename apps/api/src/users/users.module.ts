import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthService } from '../core/auth/auth.service';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Named users with passwords and roles, so operators and viewers need not share the admin key; auth asks them via `UserDirectory`. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), SupervisorModule],
  controllers: [UsersController],
  providers: [UsersService, { provide: PasswordHasher, useFactory: () => new PasswordHasher() }],
  exports: [UsersService],
})
export class UsersModule implements OnModuleInit {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.auth.useUserDirectory(this.users);
  }
}
