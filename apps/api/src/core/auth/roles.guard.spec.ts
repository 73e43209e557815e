import { ExecutionContext, ForbiddenException, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ClientOrigin } from '../http/client-origin';
import { AUTH_EVENTS, AuthRefusal } from './auth-events';
import { Principal, Role } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLE, SERVICE_PARAM } from './roles.decorator';
import { requiredRoleFor, RolesGuard } from './roles.guard';

const viewer: Principal = { kind: 'user', id: 'user:1', role: 'viewer', label: 'vera' };
const operator: Principal = { kind: 'user', id: 'user:2', role: 'operator', label: 'otto' };
const admin: Principal = { kind: 'admin', id: 'admin', role: 'admin' };
const limited: Principal = { kind: 'user', id: 'user:3', role: 'operator', label: 'lim', scope: { services: ['id-a', 'alpha'] } };

function contextFor(
  method: string,
  principal: Principal | undefined,
  metadata: Record<string, unknown>,
  params: Record<string, string> = {},
): ExecutionContext {
  const handler = (): void => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  const request = { method, path: '/api/services/x', params, principal, headers: {}, socket: { remoteAddress: '127.0.0.1' } };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('RolesGuard', () => {
  let events: EventEmitter2;
  let refusals: AuthRefusal[];
  let guard: RolesGuard;

  beforeEach(() => {
    events = new EventEmitter2();
    refusals = [];
    events.on(AUTH_EVENTS.refused, (refusal: AuthRefusal) => refusals.push(refusal));
    guard = new RolesGuard(new Reflector(), events, new ClientOrigin([]));
  });

  it.each<[string, Role | undefined, Role]>([
    ['GET', undefined, 'viewer'],
    ['HEAD', undefined, 'viewer'],
    ['POST', undefined, 'admin'],
    ['DELETE', undefined, 'admin'],
    ['POST', 'operator', 'operator'],
    ['GET', 'admin', 'admin'],
  ])('%s with @RequiresRole(%s) needs %s', (method, declared, expected) => {
    expect(requiredRoleFor(method, declared)).toBe(expected);
  });

  it.each<[Principal, string, Role | undefined, boolean]>([
    [viewer, 'GET', undefined, true],
    [viewer, 'POST', 'operator', false],
    [viewer, 'POST', undefined, false],
    [operator, 'POST', 'operator', true],
    [operator, 'GET', 'admin', false],
    [operator, 'PATCH', undefined, false],
    [admin, 'GET', 'admin', true],
    [admin, 'DELETE', undefined, true],
  ])('%j %s (route needs %s) allowed: %s', (principal, method, declared, allowed) => {
    const context = contextFor(method, principal, declared ? { [REQUIRED_ROLE]: declared } : {});
    if (allowed) {
      expect(guard.canActivate(context)).toBe(true);
      expect(refusals).toEqual([]);
    } else {
      expect(() => guard.canActivate(context)).toThrow(ForbiddenException);
      expect(refusals).toEqual([
        expect.objectContaining({ status: 403, method, actor: { id: principal.id, kind: principal.kind, label: principal.label } }),
      ]);
    }
  });

  it('lets public routes through without a principal', () => {
    expect(guard.canActivate(contextFor('POST', undefined, { [IS_PUBLIC]: true }))).toBe(true);
  });

  it('answers 404 for a service outside the scope (by id or name), and announces the refusal with its target', () => {
    const metadata = { [SERVICE_PARAM]: 'id', [REQUIRED_ROLE]: 'operator' };
    expect(guard.canActivate(contextFor('POST', limited, metadata, { id: 'alpha' }))).toBe(true);
    expect(guard.canActivate(contextFor('POST', limited, metadata, { id: 'id-a' }))).toBe(true);
    expect(() => guard.canActivate(contextFor('POST', limited, metadata, { id: 'beta' }))).toThrow(NotFoundException);
    expect(refusals).toEqual([
      expect.objectContaining({ target: 'beta', reason: expect.stringContaining('outside the permitted services') }),
    ]);
    expect(guard.canActivate(contextFor('POST', operator, metadata, { id: 'beta' }))).toBe(true);
  });
});
