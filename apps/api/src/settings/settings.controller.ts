import { Body, Controller, Delete, Get, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SettingView, UpdateSettingsDto } from '@mcp-proxy/shared/dto';
import { SettingsService } from './settings.service';

@ApiTags('settings')
@ApiSecurity('api-key')
@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @ApiOperation({ summary: 'Every server setting (secrets excepted): value in force, source, default, whether it can change at runtime' })
  @ApiOkResponse({
    description: 'SettingView[]: {key, group, description, runtime, input, value, source, environmentValue, defaultValue, changedAt}',
  })
  list(): Promise<SettingView[]> {
    return this.settings.list();
  }

  @Patch()
  @ApiOperation({ summary: 'Change runtime settings (applied live, stored, kept across restarts); null resets one. All or nothing.' })
  @ApiBody({ type: UpdateSettingsDto })
  @ApiOkResponse({ description: 'SettingView[] after the change' })
  // A plain object, not the DTO class: the service checks every key itself, so an environment-only key
  // gets "cannot be changed at runtime" rather than the validation pipe's "should not exist".
  update(@Body() body: Record<string, unknown>): Promise<SettingView[]> {
    return this.settings.update(body);
  }

  @Delete(':key')
  @ApiOperation({ summary: "Reset a runtime setting to the environment's value (or the default)" })
  @ApiOkResponse({ description: 'SettingView[] after the reset' })
  reset(@Param('key') key: string): Promise<SettingView[]> {
    return this.settings.reset(key);
  }
}
