import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { GroupEntity } from './group.entity';
import { GroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

/** Groups of services (issue 10): the registry. The proxy serves them. */
@Module({
  imports: [TypeOrmModule.forFeature([GroupEntity]), SupervisorModule],
  controllers: [GroupsController],
  providers: [GroupsService],
  exports: [GroupsService],
})
export class GroupsModule {}
