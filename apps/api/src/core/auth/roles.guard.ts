import { CanActivate, ExecutionContext, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Request } from 'express';
import { AUTH_EVENTS, AuthRefusal } from './auth-events';
import { ClientOrigin } from '../http/client-origin';
import { Principal, RequestWithPrincipal, Role, roleAllows, scopeAllowsService } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLE, SERVICE_PARAM } from './roles.decorator';

const READ_METHODS = new Set(['GET', 'HEAD']);

/** The role a route needs: its `@RequiresRole`, else `viewer` for reads and `admin` for the rest. */
export function requiredRoleFor(method: string, declared: Role | undefined): Role {
  return declared ?? (READ_METHODS.has(method.toUpperCase()) ? 'viewer' : 'admin');
}

/**
 * Global, after `AuthGuard`: the caller's role must reach the route's, and a principal limited to
 * some services may only name those. Every refusal is announced for the audit log.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly events: EventEmitter2,
    private readonly client: ClientOrigin,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const principal = request.principal;
    // AuthGuard runs first and throws without a principal; a missing one here is a wiring bug, so refuse.
    if (!principal) throw new ForbiddenException('No authenticated principal');

    const required = requiredRoleFor(request.method, this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets));
    const serviceParam = this.reflector.getAllAndOverride<string>(SERVICE_PARAM, targets);
    const service = serviceParam ? request.params?.[serviceParam] : undefined;

    if (!roleAllows(principal.role, required)) {
      const reason = `This action needs the ${required} role; you are signed in as ${principal.role}`;
      this.announce(request, principal, service, reason);
      throw new ForbiddenException(reason);
    }
    if (service !== undefined && !scopeAllowsService(principal, service)) {
      // Answered 404 (so nothing is told about services outside the scope), recorded as the refusal it is.
      this.announce(request, principal, service, 'service outside the permitted services (answered 404)');
      throw new NotFoundException(`Service "${service}" not found`);
    }
    return true;
  }

  private announce(request: Request, principal: Principal, target: string | undefined, reason: string): void {
    const event: AuthRefusal = {
      status: 403,
      method: request.method,
      path: request.path,
      address: this.client.address(request),
      reason,
      actor: { id: principal.id, kind: principal.kind, label: principal.label },
      target,
    };
    this.events.emit(AUTH_EVENTS.refused, event);
  }
}
