import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import type { ClientTokenView, CreateClientTokenDto, CreatedClientTokenView, UpdateClientTokenDto } from '@mcp-proxy/shared/dto';
import { IsNull, Repository } from 'typeorm';
import { AUTH_EVENTS } from '../core/auth/auth-events';
import { userIdOf, type CredentialVerifier, type Principal, type Verified } from '../core/auth/principal';
import { ClientTokenEntity } from './client-token.entity';
import { hashToken, newToken } from '../core/auth/token-hash';

export const CLIENT_TOKEN_PREFIX = 'mcpt_';

/** Writing "last used" on every request would turn reads into writes; once a minute is enough to show. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Mints, lists, relabels and revokes client tokens, and turns a presented one into a principal (one of
 * the verifiers of core/auth/credential-registry.ts). Every change is announced (AUTH_EVENTS.changed)
 * and awaited, so no instance keeps a verified copy of the old token once the request answers.
 */
@Injectable()
export class ClientTokensService implements CredentialVerifier {
  constructor(
    @InjectRepository(ClientTokenEntity) private readonly tokens: Repository<ClientTokenEntity>,
    private readonly events: EventEmitter2,
  ) {}

  /** `creator`: a named user becomes the token's owner; the API key leaves it without one. */
  async create(dto: CreateClientTokenDto, creator?: Principal): Promise<CreatedClientTokenView> {
    const token = newToken(CLIENT_TOKEN_PREFIX);
    const entity = this.tokens.create({
      label: dto.label.trim(),
      tokenHash: hashToken(token),
      prefix: token.slice(0, CLIENT_TOKEN_PREFIX.length + 6),
      services: dto.services ?? null,
      tools: dto.tools ?? null,
      rateLimit: dto.rateLimit || null,
      lastUsedAt: null,
      revokedAt: null,
      ownerUserId: creator ? userIdOf(creator) : null,
    });
    await this.tokens.save(entity);
    return { ...toView(entity), token };
  }

  async list(): Promise<ClientTokenView[]> {
    return (await this.tokens.find({ order: { createdAt: 'DESC' } })).map(toView);
  }

  async update(id: string, dto: UpdateClientTokenDto): Promise<ClientTokenView> {
    const entity = await this.find(id);
    if (dto.label !== undefined) entity.label = dto.label.trim();
    if (dto.rateLimit !== undefined) entity.rateLimit = dto.rateLimit || null;
    await this.tokens.save(entity);
    // The label and the rate limit are part of the principal: its next request gets the new ones.
    await this.events.emitAsync(AUTH_EVENTS.changed);
    return toView(entity);
  }

  /** Takes effect on the next request, on every instance, and on its open streams within seconds. */
  async revoke(id: string): Promise<ClientTokenView> {
    const entity = await this.find(id);
    if (!entity.revokedAt) {
      entity.revokedAt = new Date();
      await this.tokens.save(entity);
      await this.events.emitAsync(AUTH_EVENTS.changed);
    }
    return toView(entity);
  }

  /** Client tokens do not expire; a revocation is news that empties the caches. */
  async verify(credential: string): Promise<Verified | null> {
    if (!credential.startsWith(CLIENT_TOKEN_PREFIX)) return null;
    const entity = await this.tokens.findOne({ where: { tokenHash: hashToken(credential), revokedAt: IsNull() } });
    if (!entity) return null;
    this.touch(entity);
    const principal: Principal = {
      kind: 'client',
      id: `client-token:${entity.id}`,
      role: 'viewer',
      label: entity.label,
      ...(entity.rateLimit ? { rateLimit: entity.rateLimit } : {}),
      scope: { ...(entity.services ? { services: entity.services } : {}), ...(entity.tools ? { tools: entity.tools } : {}) },
    };
    return { principal };
  }

  /** Seen at a check past the cache, so "last used" lags real use by at most the cache's TTL beyond its resolution. */
  private touch(entity: ClientTokenEntity): void {
    const now = new Date();
    if (entity.lastUsedAt && now.getTime() - entity.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    // Not awaited: the request does not wait for bookkeeping, and a failure here must not refuse it.
    this.tokens.update({ id: entity.id }, { lastUsedAt: now }).catch(() => undefined);
  }

  private async find(id: string): Promise<ClientTokenEntity> {
    const entity = await this.tokens.findOne({ where: { id } });
    if (!entity) throw new NotFoundException(`Client token ${id} not found`);
    return entity;
  }
}

function toView(entity: ClientTokenEntity): ClientTokenView {
  return {
    id: entity.id,
    label: entity.label,
    prefix: entity.prefix,
    services: entity.services,
    tools: entity.tools,
    rateLimit: entity.rateLimit,
    createdAt: entity.createdAt.toISOString(),
    lastUsedAt: entity.lastUsedAt?.toISOString() ?? null,
    revokedAt: entity.revokedAt?.toISOString() ?? null,
    ownerUserId: entity.ownerUserId,
  };
}
