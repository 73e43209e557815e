import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal';

export const REQUIRED_ROLE = 'auth:requiredRole';
export const SERVICE_PARAM = 'auth:serviceParam';

/**
 * The least role a handler needs. Without it, reads (GET, HEAD) need `viewer` and everything else
 * `admin`, so a new mutating route is closed to operators until someone opens it on purpose.
 */
export const RequiresRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

/**
 * The route parameter naming a service (id or name): a principal limited to some services gets
 * 404 for the others, as if they did not exist.
 */
export const ServiceParam = (param = 'id'): MethodDecorator & ClassDecorator => SetMetadata(SERVICE_PARAM, param);
