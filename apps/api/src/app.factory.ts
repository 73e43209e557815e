import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createServer, Server } from 'node:http';
import { API_PREFIX } from '@mcp-proxy/shared/dto';
import { AppModule } from './app.module';
import { serveAdminApp } from './admin-app';
import { CertificateManager } from './certs/certificate-manager';
import { ForceSsl } from './certs/tls/force-ssl';
import { HttpsServers } from './certs/tls/https-servers';
import { AppConfig } from './core/config/app-config';
import { scrubCredentialsFromEnvironment } from './core/config/scrub-environment';
import { BodylessWriteInterceptor } from './core/http/bodyless-write.interceptor';
import { ClientOrigin } from './core/http/client-origin';
import { createValidationPipe } from './core/http/validation';
import { API_BODY_LIMIT_BYTES, refuseOversizedBodies } from './core/http/body-size-limit';
import { GracefulShutdown } from './core/http/graceful-shutdown';
import { assignRequestId } from './core/http/request-id';
import { RawRoutes } from './core/http/raw-routes';
import { Readiness } from './core/http/readiness';
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
  // Validated and held by the config now: out of the environment before init starts any child, deploy step or tool.
  scrubCredentialsFromEnvironment();
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
  app.use(assignRequestId, requestLogger(logger, app.get(ClientOrigin)), httpMetrics(app.get(MetricsService)));
  app.use(refuseOversizedBodies(API_BODY_LIMIT_BYTES));
  app.useBodyParser('json', { limit: API_BODY_LIMIT_BYTES });
  // Configuration files are posted as they are (POST /api/config/import).
  app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: API_BODY_LIMIT_BYTES });
  app.use(securityHeaders(config.get('SSL_ENABLED')));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'health/ready', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new BodylessWriteInterceptor());
  // SIGTERM and SIGINT drain first (main.ts: stopGracefully); other signals close at once.
  app.enableShutdownHooks(['SIGHUP', 'SIGQUIT', 'SIGUSR2']);
  attachListener(app, app.getHttpServer());
  setUpOpenApi(app);
  serveAdminApp(app, config.get('ADMIN_DIST_DIR'), logger);
}

/**
 * Wires a listening server (the API port, the admin port, or the HTTPS port) to the MCP lanes, Express
 * and WebSocket upgrades. A plain HTTP one redirects to HTTPS first when FORCE_SSL is on.
 */
export function attachListener(app: NestExpressApplication, server: Server, tls = false): void {
  app.get(RawRoutes).install(server, app.getHttpAdapter().getInstance());
  app.get(GracefulShutdown).track(server);
  // A listener answers only after init, which restored the children wanted running: from its first connection on, the app is ready.
  server.once('listening', () => app.get(Readiness).markListening());
  const upgrades = app.get(UpgradeRouter);
  server.on('upgrade', (request, socket, head) => upgrades.handle(request, socket, head));
  if (!tls) app.get(ForceSsl).install(server);
}

/** Where the app answers: `http://host:port` of the API and admin ports, and `https://…` with SSL_ENABLED. */
export interface ListenerUrls {
  api: string;
  admin: string;
  https?: string;
}

/**
 * Starts every listener: the API on BACKEND_PORT, the same app for the admin UI on FRONTEND_PORT (same
 * origin for the UI and its API) and, with SSL_ENABLED, over TLS on HTTPS_PORT; then certificate renewal.
 */
export async function listen(app: NestExpressApplication): Promise<ListenerUrls> {
  const config = app.get(AppConfig);
  const host = config.get('HOST');
  await app.listen(config.get('BACKEND_PORT'), host);
  const adminServer = createServer();
  attachListener(app, adminServer);
  await listenOn(adminServer, config.get('FRONTEND_PORT'), host);
  const others: Server[] = [adminServer];
  const urls: ListenerUrls = { api: urlOf('http', app.getHttpServer(), host), admin: urlOf('http', adminServer, host) };

  if (config.get('SSL_ENABLED')) {
    const secureServer = app.get(HttpsServers).create();
    attachListener(app, secureServer, true);
    await listenOn(secureServer, config.get('HTTPS_PORT'), host);
    others.push(secureServer);
    urls.https = urlOf('https', secureServer, host);
  }
  app.getHttpServer().on('close', () => others.forEach((server) => server.close()));
  // Only now: an HTTP-01 challenge of the first order is answered on the plain port, which must be listening.
  app.get(CertificateManager).start();
  return urls;
}

/**
 * A graceful stop (SIGTERM): listeners stop accepting, calls in progress are answered (at most
 * SHUTDOWN_GRACE_SEC), streams are told to reconnect, then the app closes: children stop, sessions
 * of shared services stay persisted for the next start, cluster leases are given up.
 */
export async function stopGracefully(app: NestExpressApplication): Promise<void> {
  await app.get(GracefulShutdown).drain(app.get(AppConfig).get('SHUTDOWN_GRACE_SEC') * 1000);
  await app.close();
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** With port 0 (tests) the real port is only known once listening. */
function urlOf(scheme: 'http' | 'https', server: Server, host: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export type { INestApplication };
