import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GroupsModule } from '../groups/groups.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { SettingsModule } from '../settings/settings.module';
import { ConfigFileWatcher } from './config-file-watcher';
import { ConfigSyncService } from './config-sync.service';
import { ConfigController } from './config.controller';

/**
 * Configuration as code: export/import of services, groups and runtime settings as YAML, and CONFIG_FILE. Given the
 * app's GitHub module (not a second copy of it: one deploy queue) so an imported repository service
 * is deployed.
 */
@Module({})
export class ConfigFileModule {
  static forRoot(github: DynamicModule): DynamicModule {
    return {
      module: ConfigFileModule,
      imports: [SupervisorModule, GroupsModule, AuditModule, SettingsModule, github],
      controllers: [ConfigController],
      providers: [ConfigSyncService, ConfigFileWatcher],
    };
  }
}
