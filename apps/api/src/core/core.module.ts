import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { RuntimeSettings } from './config/runtime-settings';
import { CryptoModule } from './crypto/crypto.module';
import { DatabaseModule } from './database/database.module';
import { ClientOrigin } from './http/client-origin';
import { HttpPlatformModule } from './http/http.module';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { TimeModule } from './time/time.module';
import { TracingModule } from './tracing/tracing.module';

/** Platform pieces every feature module relies on: config, logging, crypto, database, events, throttling, metrics, tracing, auth. */
@Module({})
export class CoreModule {
  /** `credentialVerifiers`: the app's module exporting CREDENTIAL_VERIFIERS (see core/auth/credential-registry.ts). */
  static async forRoot(credentialVerifiers: Type<unknown>): Promise<DynamicModule> {
    return {
      module: CoreModule,
      imports: [
        await AppConfigModule.forRoot(),
        TimeModule,
        LoggingModule,
        HttpPlatformModule,
        CryptoModule,
        DatabaseModule,
        // In-process news between feature modules (service.started, service.log, …): registered once, here.
        EventEmitterModule.forRoot(),
        ThrottlerModule.forRootAsync({
          inject: [RuntimeSettings, ClientOrigin],
          useFactory: (settings: RuntimeSettings, client: ClientOrigin) => ({
            // A function, so the guard asks for the live value on every request.
            throttlers: [{ ttl: 60_000, limit: () => settings.get('API_RATE_LIMIT') }],
            // Per client, as TRUSTED_PROXIES says who that is (Express's own req.ip knows nothing of it).
            getTracker: (request) => client.address(request as IncomingMessage),
          }),
        }),
        MetricsModule,
        TracingModule,
        AuthModule.forRoot(credentialVerifiers),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
