import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProcessesModule } from '../processes/processes.module';
import { GroupEntity } from './group.entity';
import { GroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

/** Groups of services (issue 10): the registry. The proxy serves them. */
@Module({
  imports: [TypeOrmModule.forFeature([GroupEntity]), ProcessesModule],
  controllers: [GroupsController],
  providers: [GroupsService],
  exports: [GroupsService],
})
export class GroupsModule {}
