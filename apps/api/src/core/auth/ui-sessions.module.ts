import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UiSessionEntity } from './ui-session.entity';
import { UiSessionsService } from './ui-sessions.service';

/**
 * UI sessions on their own, below both their readers: the auth module checks them, the users module
 * ends a user's sessions when the user changes. Apart, neither of those two has to import the other.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UiSessionEntity])],
  providers: [UiSessionsService],
  exports: [UiSessionsService],
})
export class UiSessionsModule {}
