import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { AUTH_EVENTS } from './auth-events';
import { CredentialCache } from './credential-cache';

/**
 * News that a credential changed (a token or grant revoked, a user changed or deleted, a session
 * ended): AUTH_EVENTS.changed here empties this instance's CredentialCache at once and, with
 * REDIS_URL, is published on `<CLUSTER_KEY_PREFIX>:credentials` so every other instance empties its
 * own; whoever emits the event with `emitAsync` and awaits it knows the others have been told before
 * it answers. With SQLite there is one instance. PostgreSQL without Redis may mean several instances
 * that cannot tell each other in time (LISTEN/NOTIFY reaches the others a moment after the change
 * answers), so there the cache stays off and every request reads the database. While the Redis
 * subscriber is not connected the cache is paused too: a change it cannot hear of is never answered
 * from memory.
 */
@Injectable()
export class CredentialNews implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CredentialNews');
  private readonly selfId = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly cache: CredentialCache,
  ) {}

  private get channel(): string {
    return `${this.config.get('CLUSTER_KEY_PREFIX')}:credentials`;
  }

  /** Awaited by whoever emits the change with `emitAsync`, so the others are told before it answers. */
  @OnEvent(AUTH_EVENTS.changed)
  async onCredentialsChanged(): Promise<void> {
    this.cache.clear();
    await this.publish();
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.get('REDIS_URL');
    if (url) {
      this.cache.pause();
      await this.listenOnRedis(url);
    } else if (this.config.isPostgres) {
      this.cache.pause();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }

  private async listenOnRedis(url: string): Promise<void> {
    // Loaded only when configured, like the rate limiter's client.
    const { default: RedisClient } = await import('ioredis');
    this.publisher = new RedisClient(url, { maxRetriesPerRequest: 2 });
    const subscriber = new RedisClient(url, { maxRetriesPerRequest: 2 });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel && raw !== this.selfId) this.cache.clear();
    });
    // ioredis subscribes anew on reconnecting; until then nothing said can be heard.
    let subscribed = false;
    subscriber.on('close', () => this.cache.pause());
    subscriber.on('ready', () => {
      if (subscribed) this.cache.resume();
    });
    subscriber.on('error', () => undefined);
    this.publisher.on('error', () => undefined);
    try {
      await subscriber.subscribe(this.channel);
      subscribed = true;
      this.cache.resume();
    } catch (error) {
      this.logger.warn(`Not listening for credential changes of other instances (every request asks the database): ${String(error)}`);
    }
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
