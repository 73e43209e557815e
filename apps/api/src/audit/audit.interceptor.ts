import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditOutcome } from '@mcp-proxy/shared/dto';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { IS_PUBLIC } from '../core/auth/public.decorator';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { ClientOrigin } from '../core/http/client-origin';
import { AuditService } from './audit.service';
import { AUDITED_ACTION } from './audited.decorator';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Global: every change made through the REST API, and every read marked @Audited, goes to the
 * audit log with who, from where, the route, the target id and the outcome. Bodies are not kept,
 * only the names of the fields sent (a body may hold secrets).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly client: ClientOrigin,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const targets = [context.getHandler(), context.getClass()];
    const named = this.reflector.getAllAndOverride<string | undefined>(AUDITED_ACTION, targets);
    // Public routes (login, webhooks) report themselves or are named with @Audited.
    if (!named && (!CHANGES.has(request.method) || this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets))) return next.handle();

    const action = named ?? `${request.method} ${routePattern(request)}`;
    const record = (outcome: AuditOutcome, status: number, created?: unknown) =>
      void this.audit.record({
        action,
        outcome,
        actor: request.principal ?? null,
        target: targetOf(request) ?? (status === 201 ? createdId(created) : null),
        address: this.client.address(request),
        detail: { status, ...fieldsSent(request) },
      });
    return next.handle().pipe(
      tap({
        next: (value: unknown) => record('ok', context.switchToHttp().getResponse<Response>().statusCode, value),
        error: (error: unknown) => {
          const status = error instanceof HttpException ? error.getStatus() : 500;
          record(status === 401 || status === 403 ? 'refused' : 'failed', status);
        },
      }),
    );
  }
}

/** `/api/services/:id/start`, not the concrete URL: one action name per route. */
function routePattern(request: Request): string {
  const route = (request.route as { path?: string } | undefined)?.path;
  return `${request.baseUrl ?? ''}${route ?? request.path}`;
}

function targetOf(request: Request): string | null {
  const params = request.params ?? {};
  return params['id'] ?? params['name'] ?? params['key'] ?? null;
}

/** A route that creates names no target; what it created does (its id, so the log can name it later). */
function createdId(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const id = (value as Record<string, unknown>)['id'];
  return typeof id === 'string' && id.length <= 200 ? id : null;
}

function fieldsSent(request: Request): { fields?: string[] } {
  const body: unknown = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const fields = Object.keys(body);
  return fields.length > 0 ? { fields } : {};
}
