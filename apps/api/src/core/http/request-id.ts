import { REQUEST_ID_HEADER } from '@mcp-proxy/shared/dto';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

const REQUEST_ID = Symbol('requestId');
const ACCEPTABLE_ID = /^[\w.:-]{1,100}$/;

type WithRequestId = { [REQUEST_ID]?: string };

/** Reuses a caller's X-Request-Id when it is sane (so traces join up), else makes one; echoed in the response. */
export function assignRequestId(request: Request, response: Response, next: NextFunction): void {
  const offered = request.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  (request as Request & WithRequestId)[REQUEST_ID] = id;
  response.setHeader(REQUEST_ID_HEADER, id);
  next();
}

export function requestIdOf(request: Request): string | undefined {
  return (request as Request & WithRequestId)[REQUEST_ID];
}
