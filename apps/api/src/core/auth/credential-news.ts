import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { AUTH_EVENTS } from './auth-events';
import { CredentialCache } from './credential-cache';

/**
 * The cache of verified credentials fit for this deployment. With REDIS_URL every instance hears of
 * every change (below); with SQLite there is one instance. PostgreSQL without Redis may mean several
 * instances with no way to tell each other, so there each request asks the database, as before.
 */
export function credentialCacheFor(config: AppConfig): CredentialCache {
  const instancesHearEachOther = !config.isPostgres || config.get('REDIS_URL') !== undefined;
  return new CredentialCache(instancesHearEachOther ? undefined : 0);
}

/**
 * News that a credential changed (a token or grant revoked, a user changed or deleted, a session
 * ended): AUTH_EVENTS.changed here empties this instance's CredentialCache at once, and with
 * REDIS_URL is published on `<CLUSTER_KEY_PREFIX>:credentials` so every other instance empties its
 * own. Whoever emits the event with `emitAsync` and awaits it knows the other instances have been
 * told before it answers. A lost connection may have lost news: the cache is emptied on reconnect.
 */
@Injectable()
export class CredentialNews implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CredentialNews');
  private readonly selfId = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private readonly onChanged = (): Promise<void> => {
    this.cache.clear();
    return this.publish();
  };

  constructor(
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly cache: CredentialCache,
  ) {}

  private get channel(): string {
    return `${this.config.get('CLUSTER_KEY_PREFIX')}:credentials`;
  }

  async onModuleInit(): Promise<void> {
    this.events.on(AUTH_EVENTS.changed, this.onChanged);
    const url = this.config.get('REDIS_URL');
    if (!url) return;
    // Loaded only when configured, like the rate limiter's client.
    const { default: RedisClient } = await import('ioredis');
    this.publisher = new RedisClient(url, { maxRetriesPerRequest: 2 });
    const subscriber = new RedisClient(url, { maxRetriesPerRequest: 2 });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel && raw !== this.selfId) this.cache.clear();
    });
    // 'ready' again after a lost connection (ioredis subscribes anew): what was said meanwhile is unknown.
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) this.cache.clear();
      connectedBefore = true;
    });
    subscriber.on('error', () => undefined);
    this.publisher.on('error', () => undefined);
    await subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.warn(`Not listening for credential changes of other instances: ${String(error)}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.events.off(AUTH_EVENTS.changed, this.onChanged);
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }

  private async publish(): Promise<void> {
    if (!this.publisher) return;
    try {
      await this.publisher.publish(this.channel, this.selfId);
    } catch (error) {
      // The others learn within the cache's TTL instead.
      this.logger.warn(`Could not tell other instances of a credential change: ${String(error)}`);
    }
  }
}
