import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AUTH_EVENTS } from '../core/auth/auth-events';
import { inBackground } from '../core/logging/background';
import { ClientTokenEntity } from '../client-tokens/client-token.entity';
import { OAuthGrantEntity } from '../oauth/oauth.entities';
import { ServiceEntity } from '../services/service.entity';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { UserEntity } from '../users/user.entity';
import { UpstreamConnections } from './upstream-connections.service';

/**
 * Connections go with what they belong to: a deleted service, a deleted user, a client token or an
 * OAuth grant revoked or deleted. Those changes are announced as events without saying what went, so
 * each one sweeps the (small) table against what still stands.
 */
@Injectable()
export class UpstreamAuthCleanup implements BeforeApplicationShutdown {
  private readonly logger = new Logger('UpstreamAuthCleanup');
  private sweeping: Promise<void> | null = null;
  private again = false;
  /** The database closes during shutdown: news then (services stopping) is not swept. */
  private stopping = false;

  constructor(
    private readonly connections: UpstreamConnections,
    @InjectDataSource() private readonly data: DataSource,
  ) {}

  /** A sweep under way finishes before the database closes: cut off, it would fail half-way and log it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.sweeping?.catch(() => undefined);
  }

  @OnEvent(SERVICE_EVENTS.changed)
  onServiceChanged(): void {
    this.schedule();
  }

  /** Revoked at the provider while the service's settings (its authorization server and client) still stand. */
  @OnEvent(SERVICE_EVENTS.removing)
  async onServiceRemoving(payload: { serviceId: string }): Promise<void> {
    if (!this.stopping) await this.connections.revokeAllOf(payload.serviceId);
  }

  /** Awaited by whoever emits it, so a revoked principal's connection is gone before the revocation answers. */
  @OnEvent(AUTH_EVENTS.changed)
  async onCredentialsChanged(): Promise<void> {
    await this.sweep();
  }

  private schedule(): void {
    inBackground(this.sweep(), 'UpstreamAuthCleanup', 'Removing upstream OAuth connections of what is gone');
  }

  /** One sweep at a time; news during a sweep runs one more. */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    if (this.sweeping) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.again = false;
        await this.sweepOnce();
      } while (this.again);
    })().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const services = new Set((await this.data.getRepository(ServiceEntity).find({ select: { id: true } })).map((row) => row.id));
    const users = new Set((await this.data.getRepository(UserEntity).find({ select: { id: true } })).map((row) => row.id));
    const tokens = new Set(
      (await this.data.getRepository(ClientTokenEntity).find({ select: { id: true }, where: { revokedAt: IsNull() } })).map(
        (row) => row.id,
      ),
    );
    const grants = new Set(
      (await this.data.getRepository(OAuthGrantEntity).find({ select: { id: true }, where: { revokedAt: IsNull() } })).map((row) => row.id),
    );
    const stands = (key: string): boolean => {
      const colon = key.indexOf(':');
      const kind = key.slice(0, colon);
      const id = key.slice(colon + 1);
      if (kind === 'user') return users.has(id);
      if (kind === 'client-token') return tokens.has(id);
      if (kind === 'oauth') return grants.has(id);
      return true; // `shared`, `admin`
    };
    const removed = await this.connections.removeWhere((row) => !services.has(row.serviceId) || !stands(row.principalKey));
    await this.connections.removeClientsWhere((serviceId) => !services.has(serviceId));
    if (removed > 0) this.logger.log(`Removed ${removed} upstream OAuth connection(s) of services or principals that are gone`);
  }
}
