import { Global, Module } from '@nestjs/common';
import { RuntimeSettings } from '../config/runtime-settings';
import { AppLogger } from './app-logger';
import { ProxyLogRing } from './proxy-log-ring';

/** The level follows LOG_LEVEL live: a change in Settings applies to the next line. */
function createLogger(settings: RuntimeSettings, ring: ProxyLogRing): AppLogger {
  const logger = new AppLogger(settings.get('LOG_LEVEL'), undefined, ring);
  settings.onChange('LOG_LEVEL', (level) => logger.setLevel(level));
  return logger;
}

@Global()
@Module({
  providers: [
    // One per app (tests build several in one process).
    { provide: ProxyLogRing, useFactory: () => new ProxyLogRing() },
    { provide: AppLogger, inject: [RuntimeSettings, ProxyLogRing], useFactory: createLogger },
  ],
  exports: [AppLogger, ProxyLogRing],
})
export class LoggingModule {}
