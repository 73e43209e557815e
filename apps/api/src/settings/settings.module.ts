import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuntimeSettingEntity } from './runtime-setting.entity';
import { SettingsController } from './settings.controller';
import { SettingsRefresh } from './settings-refresh';
import { SettingsStore } from './settings-store';
import { SettingsService } from './settings.service';

/**
 * Server settings (GET/PATCH /api/settings): stores the runtime changes and pushes them into core's
 * RuntimeSettings, which the consumers read. Depends on Core only.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RuntimeSettingEntity])],
  controllers: [SettingsController],
  providers: [SettingsStore, SettingsService, SettingsRefresh],
  exports: [SettingsService],
})
export class SettingsModule {}
