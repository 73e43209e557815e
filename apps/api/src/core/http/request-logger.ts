import type { NextFunction, Request, Response } from 'express';
import type { AppLogger } from '../logging/app-logger';
import type { RequestWithPrincipal } from '../auth/principal';
import type { ClientOrigin } from './client-origin';
import { requestIdOf } from './request-id';

/**
 * One log line per finished request: id, method, path (never the query string, which may carry
 * a token), status, duration, who asked and from which address (the client's, behind a trusted
 * reverse proxy). Headers and bodies are never logged.
 */
export function requestLogger(logger: AppLogger, client: ClientOrigin) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      logger.event(
        level,
        {
          context: 'Http',
          requestId: requestIdOf(request),
          method: request.method,
          path: request.originalUrl.split('?')[0],
          status,
          ms: Math.round(ms * 10) / 10,
          principal: (request as Request & RequestWithPrincipal).principal?.kind,
          address: client.address(request),
        },
        'request',
      );
    });
    next();
  };
}
