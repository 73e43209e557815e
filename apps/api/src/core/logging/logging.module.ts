import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { AppLogger } from './app-logger';

@Global()
@Module({
  providers: [{ provide: AppLogger, inject: [AppConfig], useFactory: (config: AppConfig) => new AppLogger(config.get('LOG_LEVEL')) }],
  exports: [AppLogger],
})
export class LoggingModule {}
