import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { ProcessesModule } from '../processes/processes.module';
import { ConfigFileWatcher } from './config-file-watcher.service';
import { ConfigSyncService } from './config-sync.service';
import { ConfigController } from './config.controller';

/** Configuration as code: export/import of services and groups as YAML, and CONFIG_FILE. */
@Module({
  imports: [ProcessesModule, GroupsModule],
  controllers: [ConfigController],
  providers: [ConfigSyncService, ConfigFileWatcher],
})
export class ConfigFileModule {}
