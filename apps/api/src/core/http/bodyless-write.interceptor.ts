import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The validation pipe only sees bodies a handler asks for, so a field sent to an action that takes
 * none (start, stop, revoke, renew…) would vanish without a word. Such a handler (no `@Body()`, no
 * `@RawBody()`) refuses a non-empty body with the same 400 an unknown field gets elsewhere.
 */
@Injectable()
export class BodylessWriteInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    if (!WRITE_METHODS.has(request.method) || this.readsBody(context)) return next.handle();
    const body: unknown = request.body;
    const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (keys.length > 0)
      throw new BadRequestException(keys.map((key) => `${key}: property ${key} should not exist (this endpoint takes no body)`));
    return next.handle();
  }

  private readsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.takesBody.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      const types = Object.keys(args).map((key) => key.split(':')[0]);
      known = types.some((type) => type === String(RouteParamtypes.BODY) || type === String(RouteParamtypes.RAW_BODY));
      this.takesBody.set(handler, known);
    }
    return known;
  }
}
