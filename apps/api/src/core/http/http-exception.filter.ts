import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { ApiErrorView } from '@mcp-proxy/shared/dto';
import { requestIdOf } from './request-id';

/** Every error leaves in one shape; unexpected ones are logged with their stack and answered without it. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const requestId = requestIdOf(request);
    const body = toErrorView(exception, requestId);
    if (body.statusCode >= 500) {
      this.logger.error({ requestId, method: request.method, path: request.path, err: exception }, 'Unhandled error');
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }
}

export function toErrorView(exception: unknown, requestId?: string): ApiErrorView {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const payload = exception.getResponse();
    const message = typeof payload === 'string' ? payload : ((payload as { message?: string | string[] }).message ?? exception.message);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
  }
  if (isBodyParserError(exception)) {
    return { statusCode: exception.status, error: STATUS_CODES[exception.status] ?? 'Error', message: exception.message, requestId };
  }
  const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
  return { statusCode, error: 'Internal Server Error', message: 'Internal server error', requestId };
}

/** Express body-parser errors (bad JSON, too large) carry their own 4xx status. */
function isBodyParserError(error: unknown): error is { status: number; message: string } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
