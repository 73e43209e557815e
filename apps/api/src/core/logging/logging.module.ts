import { Global, Module } from '@nestjs/common';
import { RuntimeSettings } from '../config/runtime-settings';
import { AppLogger } from './app-logger';

/** The level follows LOG_LEVEL live: a change in Settings applies to the next line. */
function createLogger(settings: RuntimeSettings): AppLogger {
  const logger = new AppLogger(settings.get('LOG_LEVEL'));
  settings.onChange('LOG_LEVEL', (level) => logger.setLevel(level));
  return logger;
}

@Global()
@Module({
  providers: [{ provide: AppLogger, inject: [RuntimeSettings], useFactory: createLogger }],
  exports: [AppLogger],
})
export class LoggingModule {}
