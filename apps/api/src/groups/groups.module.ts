import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { GroupEntity } from './group.entity';
import { GroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

/** Groups of services, so one client URL carries many servers: the registry (CRUD). The proxy serves them from `proxy/groups/`. */
@Module({
  imports: [TypeOrmModule.forFeature([GroupEntity]), SupervisorModule],
  controllers: [GroupsController],
  providers: [GroupsService],
  exports: [GroupsService],
})
export class GroupsModule {}
