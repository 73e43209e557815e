import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppLogger } from './core/logging/app-logger';

/** Paths that belong to the API even when a browser asks for HTML. */
const API_PATHS = /^\/(api|mcp|health|metrics|ws)(\/|$)/;

/**
 * Serves the built admin app (so one process is enough in production), with the
 * single-page fallback: unknown GETs that want HTML get index.html.
 */
export function serveAdminApp(app: NestExpressApplication, distDir: string, logger: AppLogger): void {
  if (!distDir) return;
  const root = resolve(distDir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    logger.warn(`Admin UI not found in ${root}: build it with "npx nx build admin" (npm start does this)`, 'AdminApp');
    return;
  }
  app.use(
    express.static(root, {
      index: false,
      setHeaders: (response, file) => {
        // Hashed bundles never change; index.html must always be fresh to pick up new bundles.
        response.setHeader('Cache-Control', /\.[0-9a-z]{8,}\.(js|css)$/i.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    const wantsPage = request.method === 'GET' && !API_PATHS.test(request.path) && request.accepts(['html', 'json']) === 'html';
    if (!wantsPage) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}
