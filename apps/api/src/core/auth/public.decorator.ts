import { applyDecorators, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';
export const IDENTIFIES_CALLER = 'auth:identifiesCaller';

/**
 * Marks a handler or controller as reachable without credentials (health, login). `identifyCaller`: a
 * credential the request does carry is still checked (and failures counted like anywhere else), so the
 * handler can answer more to a known caller; a missing or wrong one is answered as anonymous, never 401.
 */
export const Public = (options: { identifyCaller?: boolean } = {}): MethodDecorator & ClassDecorator =>
  options.identifyCaller
    ? applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(IDENTIFIES_CALLER, true))
    : SetMetadata(IS_PUBLIC, true);
