import { PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { drainRefusedBody } from './bounded-body';

/** The REST API's body limit (JSON and configuration files). */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Runs before the body parsers: a body declared larger than the limit is refused at once and drained
 * (bounded) so the client reads its 413, instead of the parser reading all of it, however long, first.
 */
export function refuseOversizedBodies(limit: number): (request: Request, response: Response, next: NextFunction) => void {
  return (request, _response, next) => {
    if (Number(request.headers['content-length']) > limit) {
      drainRefusedBody(request);
      return next(new PayloadTooLargeException(`Request body larger than ${limit} bytes`));
    }
    next();
  };
}
