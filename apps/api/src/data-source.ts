/**
 * Entry point for the TypeORM CLI (`npm run db:generate`, `npm run db:migrate`); the app itself
 * builds its data source in DatabaseModule. Lists every entity, since the CLI has no Nest modules.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from './core/config/env.schema';
import { dataSourceOptions } from './core/database/data-source-options';
import { AuditEventEntity } from './audit/audit-event.entity';
import { UiSessionEntity } from './core/auth/ui-session.entity';
import { ClientTokenEntity } from './client-tokens/client-token.entity';
import { DeploymentEntity } from './github/deployment.entity';
import { WebhookDeliveryEntity } from './github/webhook/webhook-delivery.entity';
import { GroupEntity } from './groups/group.entity';
import { OAUTH_ENTITIES } from './oauth/oauth.entities';
import { ServiceRemoteEntity } from './processes/remote/service-remote.entity';
import { ServiceEntity } from './processes/service.entity';
import { PersistedSessionEntity } from './proxy/sessions/persisted-session.entity';
import { RuntimeSettingEntity } from './settings/runtime-setting.entity';
import { UserEntity } from './users/user.entity';

export const ENTITIES = [ServiceEntity, DeploymentEntity, GroupEntity, AuditEventEntity, UserEntity, ClientTokenEntity, ...OAUTH_ENTITIES, ServiceRemoteEntity, RuntimeSettingEntity, PersistedSessionEntity, UiSessionEntity, WebhookDeliveryEntity];

// The CLI runs outside Nest, so it validates the environment itself.
export default new DataSource(dataSourceOptions(validateEnv(process.env).DATABASE_URL, ENTITIES));
