import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { CallsModule } from './calls/calls.module';
import { CertsModule } from './certs/certs.module';
import { ClientTokensModule } from './client-tokens/client-tokens.module';
import { ConfigFileModule } from './config-file/config-file.module';
import { CoreModule } from './core/core.module';
import { CredentialVerifiersModule } from './credential-verifiers.module';
import { DeployModule } from './deploy/deploy.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { LiveModule } from './live/live.module';
import { MetricsHistoryModule } from './metrics-history/metrics-history.module';
import { NetworkModule } from './network/network.module';
import { OAuthModule } from './oauth/oauth.module';
import { ProxyModule } from './proxy/proxy.module';
import { ProxyLogModule } from './proxy-log/proxy-log.module';
import { RegistryModule } from './registry/registry.module';
import { ServicesModule } from './services/services.module';
import { SettingsModule } from './settings/settings.module';
import { TemplatesModule } from './templates/templates.module';
import { ToolPinsModule } from './tool-pins/tool-pins.module';
import { UpstreamAuthModule } from './upstream-auth/upstream-auth.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** Built on demand (not at import) so the environment is read when the app starts, also in tests. */
  static async forRoot(): Promise<DynamicModule> {
    const core = await CoreModule.forRoot(CredentialVerifiersModule);
    // After the core (its queue choice waits for the validated environment); one instance, shared with the configuration import that deploys what it creates.
    const github = await DeployModule.forRoot();
    return {
      module: AppModule,
      imports: [
        core,
        AuditModule,
        ServicesModule,
        ProxyModule,
        CallsModule,
        ToolPinsModule,
        github,
        NetworkModule,
        HealthModule,
        EventsModule,
        MetricsHistoryModule,
        ProxyLogModule,
        LiveModule,
        CertsModule,
        ConfigFileModule.forRoot(github),
        UsersModule,
        IdentityModule,
        ClientTokensModule,
        OAuthModule,
        UpstreamAuthModule,
        SettingsModule,
        RegistryModule,
        TemplatesModule,
      ],
    };
  }
}
