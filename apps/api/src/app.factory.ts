import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { API_PREFIX } from '@mcp-proxy/shared/dto';
import { AppModule } from './app.module';
import { serveAdminApp } from './admin-app';
import { AppConfig } from './core/config/app-config.service';
import { createValidationPipe } from './core/http/validation';
import { assignRequestId } from './core/http/request-id';
import { RawRoutes } from './core/http/raw-routes';
import { UpgradeRouter } from './core/http/upgrade-router';
import { requestLogger } from './core/http/request-logger';
import { securityHeaders } from './core/http/security-headers';
import { AppLogger } from './core/logging/app-logger';
import { httpMetrics } from './core/metrics/http-metrics';
import { MetricsService } from './core/metrics/metrics.service';
import { setUpOpenApi } from './openapi';

/** Builds the fully configured app without listening, so tests exercise exactly what production runs. */
export async function createApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(), {
    bufferLogs: true,
    // Errors reach main's handler (which prints a clean message) instead of Nest exiting on its own.
    abortOnError: false,
    // Registered below, after the request id, so even a malformed body gets an id in its error.
    bodyParser: false,
    // The JSON parser keeps the bytes as received (req.rawBody): the GitHub webhook's HMAC is over them.
    rawBody: true,
  });
  configureApp(app);
  await app.init();
  return app;
}

function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.flushLogs();
  app.disable('x-powered-by');
  app.use(assignRequestId, requestLogger(logger), httpMetrics(app.get(MetricsService)));
  app.useBodyParser('json', { limit: '1mb' });
  app.use(securityHeaders(config.get('SSL_ENABLED')));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  attachListener(app, app.getHttpServer());
  setUpOpenApi(app);
  serveAdminApp(app, config.get('ADMIN_DIST_DIR'), logger);
}

/** Wires a listening server (the API port, or the admin port) to the MCP lanes, Express and WebSocket upgrades. */
export function attachListener(app: NestExpressApplication, server: Server): void {
  app.get(RawRoutes).install(server, app.getHttpAdapter().getInstance());
  const upgrades = app.get(UpgradeRouter);
  server.on('upgrade', (request, socket, head) => upgrades.handle(request, socket, head));
}

export type { INestApplication };
