import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Not, Repository } from 'typeorm';
import { PeriodicCleanup } from '../core/database/periodic-cleanup';
import { OAuthAuthorizationEntity, OAuthClientEntity, OAuthGrantEntity, OAuthRefreshTokenEntity } from './oauth.entities';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** A registered client gets this long to complete an authorization before it is forgotten. */
export const CLIENT_GRACE_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/** What one sweep removed. */
export interface SweepCounts {
  authorizations: number;
  refreshTokens: number;
  clients: number;
}

/**
 * Anonymous registration and authorization requests leave rows behind; this removes the dead ones
 * hourly: authorization requests and codes past their expiry, refresh tokens that expired or whose
 * grant was revoked, and clients that never got a grant within CLIENT_GRACE_MS (nor have a request
 * still open). Grants themselves stay (the portal lists revoked ones). Every statement is a delete of
 * rows already dead, so instances sharing one database may all run it.
 */
@Injectable()
export class OAuthSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OAuth');
  private readonly cleanup = new PeriodicCleanup(SWEEP_EVERY_MS, () => this.sweepQuietly());

  constructor(
    @InjectRepository(OAuthClientEntity)
    private readonly clients: Repository<OAuthClientEntity>,
    @InjectRepository(OAuthAuthorizationEntity)
    private readonly authorizations: Repository<OAuthAuthorizationEntity>,
    @InjectRepository(OAuthGrantEntity)
    private readonly grants: Repository<OAuthGrantEntity>,
    @InjectRepository(OAuthRefreshTokenEntity)
    private readonly refreshTokens: Repository<OAuthRefreshTokenEntity>,
  ) {}

  onApplicationBootstrap(): void {
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  async sweep(now = new Date()): Promise<SweepCounts> {
    const authorizations =
      ((
        await this.authorizations.delete({
          expiresAt: LessThan(now),
          codeExpiresAt: IsNull(),
        })
      ).affected ?? 0) +
      ((
        await this.authorizations.delete({
          expiresAt: LessThan(now),
          codeExpiresAt: LessThan(now),
        })
      ).affected ?? 0);
    let refreshTokens = (await this.refreshTokens.delete({ expiresAt: LessThan(now) })).affected ?? 0;
    for (let page = 0; ; page++) {
      const revoked = await this.grants.find({
        where: { revokedAt: Not(IsNull()) },
        select: { id: true },
        order: { id: 'ASC' },
        skip: page * BATCH,
        take: BATCH,
      });
      if (revoked.length > 0)
        refreshTokens +=
          (
            await this.refreshTokens.delete({
              grantId: In(revoked.map((grant) => grant.id)),
            })
          ).affected ?? 0;
      if (revoked.length < BATCH) break;
    }
    return {
      authorizations,
      refreshTokens,
      clients: await this.sweepClients(new Date(now.getTime() - CLIENT_GRACE_MS)),
    };
  }

  /** Clients older than the cutoff with no grant and no authorization request left. */
  private async sweepClients(cutoff: Date): Promise<number> {
    let removed = 0;
    for (let kept = 0; ; ) {
      const candidates = (
        await this.clients.find({
          where: { createdAt: LessThan(cutoff) },
          select: { id: true },
          order: { createdAt: 'ASC', id: 'ASC' },
          skip: kept,
          take: BATCH,
        })
      ).map((client) => client.id);
      if (candidates.length === 0) break;
      const [granted, requested] = await Promise.all([
        this.grants.find({
          where: { clientId: In(candidates) },
          select: { clientId: true },
        }),
        this.authorizations.find({
          where: { clientId: In(candidates) },
          select: { clientId: true },
        }),
      ]);
      const used = new Set([...granted, ...requested].map((row) => row.clientId));
      const unused = candidates.filter((id) => !used.has(id));
      if (unused.length > 0) removed += (await this.clients.delete({ id: In(unused) })).affected ?? 0;
      kept += candidates.length - unused.length;
      if (candidates.length < BATCH) break;
    }
    return removed;
  }

  private async sweepQuietly(): Promise<void> {
    try {
      const counts = await this.sweep();
      if (counts.authorizations + counts.refreshTokens + counts.clients > 0) this.logger.log(counts, 'Dead OAuth records removed');
    } catch (error) {
      this.logger.warn(`Could not sweep OAuth records: ${String(error)}`);
    }
  }
}
