import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/** Records every REST request by route pattern (never the raw path, which would explode label cardinality). */
export function httpMetrics(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    response.on('finish', () => {
      const route = request.route ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';
      end({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  };
}
