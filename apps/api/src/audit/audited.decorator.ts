import { SetMetadata } from '@nestjs/common';

export const AUDITED_ACTION = 'audit:action';

/**
 * Names a route's audit action (`secret.reveal`) and makes the audit log record it even when it
 * only reads. Changes (POST, PUT, PATCH, DELETE) are recorded without it, under `METHOD /route`.
 */
export const Audited = (action: string) => SetMetadata(AUDITED_ACTION, action);
