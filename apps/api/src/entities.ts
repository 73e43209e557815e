/**
 * Every entity of the schema, for the code that opens the database without Nest's modules: the TypeORM CLI
 * (data-source.ts), the rotate-key command and the migration tests.
 */
import { AuditEventEntity } from './audit/audit-event.entity';
import { CallLogEntity } from './calls/call-log.entity';
import { UiSessionEntity } from './core/auth/ui-session.entity';
import { ClientTokenEntity } from './client-tokens/client-token.entity';
import { ServiceEventEntity } from './events/service-event.entity';
import { MetricsHistoryEntity } from './metrics-history/metrics-history.entity';
import { DeploymentEntity } from './deploy/deployment.entity';
import { WebhookDeliveryEntity } from './deploy/webhook/webhook-delivery.entity';
import { GroupEntity } from './groups/group.entity';
import { OAUTH_ENTITIES } from './oauth/oauth.entities';
import { ServiceRemoteEntity } from './services/service-remote.entity';
import { ServiceEntity } from './services/service.entity';
import { PersistedSessionEntity } from './proxy/sessions/persisted-session.entity';
import { RegistryInstallEntity } from './registry/registry-install.entity';
import { RuntimeSettingEntity } from './settings/runtime-setting.entity';
import { UserIdentityEntity } from './users/user-identity.entity';
import { ToolChangeEntity } from './tool-pins/tool-change.entity';
import { ToolPinEntity } from './tool-pins/tool-pin.entity';
import { UpstreamClientEntity, UpstreamConnectionEntity, UpstreamElicitationEntity } from './upstream-auth/upstream-auth.entities';
import { UserEntity } from './users/user.entity';

export const ENTITIES = [
  ServiceEntity,
  DeploymentEntity,
  GroupEntity,
  AuditEventEntity,
  UserEntity,
  ClientTokenEntity,
  ...OAUTH_ENTITIES,
  ServiceRemoteEntity,
  RuntimeSettingEntity,
  PersistedSessionEntity,
  UiSessionEntity,
  WebhookDeliveryEntity,
  CallLogEntity,
  RegistryInstallEntity,
  UserIdentityEntity,
  ToolPinEntity,
  UpstreamConnectionEntity,
  UpstreamClientEntity,
  UpstreamElicitationEntity,
  ToolChangeEntity,
  ServiceEventEntity,
  MetricsHistoryEntity,
];
