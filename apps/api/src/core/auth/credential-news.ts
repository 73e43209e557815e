import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Client as PostgresClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AUTH_EVENTS } from './auth-events';
import { CredentialCache } from './credential-cache';

/** PostgreSQL's LISTEN/NOTIFY channel: instances that share a database are one deployment. */
export const CREDENTIALS_NOTIFY_CHANNEL = 'mcp_proxy_credentials';
/** Longest a change waits to hear its own notification come back (see `publish`). */
const ECHO_TIMEOUT_MS = 500;
/** Waits between attempts to listen again after the listening connection was lost. */
const RELISTEN_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * News that a credential changed (a token or grant revoked, a user changed or deleted, a session
 * ended): AUTH_EVENTS.changed here empties this instance's CredentialCache at once and tells every
 * other instance to empty its own, over Redis (`<CLUSTER_KEY_PREFIX>:credentials`) when REDIS_URL is
 * set, else over PostgreSQL's LISTEN/NOTIFY when that is the database; with SQLite there is one
 * instance. Whoever emits the event with `emitAsync` and awaits it knows the others have been told
 * before it answers. While this instance is not listening (starting, or its connection lost) the
 * cache is paused, so a change it cannot hear of is never answered from memory.
 */
@Injectable()
export class CredentialNews implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CredentialNews');
  private readonly selfId = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private listener: PostgresClient | null = null;
  private relisten: ReturnType<typeof setTimeout> | null = null;
  private stopping = false;
  private notices = 0;
  private readonly awaitingEcho = new Map<string, () => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly cache: CredentialCache,
    private readonly database: DataSource,
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
      await this.listenOnPostgres(0);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.relisten) clearTimeout(this.relisten);
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
    await this.listener?.end().catch(() => undefined);
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

  /** A connection of its own (a pooled one would be handed to others); lost, it is opened again with back-off. */
  private async listenOnPostgres(attempt: number): Promise<void> {
    this.relisten = null;
    if (this.stopping) return;
    const { Client } = await import('pg');
    const listener = new Client({ connectionString: this.config.get('DATABASE_URL') });
    const lost = (reason: string): void => {
      if (this.listener !== listener) return;
      this.listener = null;
      this.cache.pause();
      void listener.end().catch(() => undefined);
      if (this.stopping) return;
      this.logger.warn(`Lost the database connection that hears of other instances' credential changes (${reason}); listening again`);
      this.scheduleRelisten(0);
    };
    listener.on('notification', (message) => {
      if (message.channel !== CREDENTIALS_NOTIFY_CHANNEL || message.payload === undefined) return;
      if (message.payload.startsWith(`${this.selfId}:`)) this.awaitingEcho.get(message.payload)?.();
      else this.cache.clear();
    });
    listener.on('error', (error) => lost(error.message));
    listener.on('end', () => lost('closed'));
    try {
      this.listener = listener;
      await listener.connect();
      await listener.query(`LISTEN ${CREDENTIALS_NOTIFY_CHANNEL}`);
      if (this.listener === listener) this.cache.resume();
    } catch (error) {
      if (this.listener === listener) this.listener = null;
      void listener.end().catch(() => undefined);
      if (attempt === 0)
        this.logger.warn(`Not listening for credential changes of other instances yet (every request asks the database): ${String(error)}`);
      this.scheduleRelisten(attempt + 1);
    }
  }

  /**
   * Through the pool, so it is sent even while this instance's own listening connection is being opened
   * again. PostgreSQL hands a notification to every listening session at once; waiting (briefly) until
   * our own comes back means the other instances' copies are on their way before the change answers.
   */
  private async notifyPostgres(): Promise<void> {
    const payload = `${this.selfId}:${++this.notices}`;
    const echoed = this.listener && !this.cache.isPaused ? this.echoOf(payload) : Promise.resolve();
    try {
      await this.database.query('SELECT pg_notify($1, $2)', [CREDENTIALS_NOTIFY_CHANNEL, payload]);
      await echoed;
    } finally {
      this.awaitingEcho.get(payload)?.();
    }
  }

  private echoOf(payload: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ECHO_TIMEOUT_MS);
      const awaiting = this.awaitingEcho;
      function done(): void {
        clearTimeout(timer);
        awaiting.delete(payload);
        resolve();
      }
      awaiting.set(payload, done);
    });
  }

  private scheduleRelisten(attempt: number): void {
    if (this.stopping || this.relisten) return;
    const delay = RELISTEN_DELAYS_MS[Math.min(attempt, RELISTEN_DELAYS_MS.length - 1)];
    this.relisten = setTimeout(() => {
      this.listenOnPostgres(attempt).catch((error: unknown) => this.logger.error(`Cannot listen for credential changes: ${String(error)}`));
    }, delay);
    this.relisten.unref();
  }

  private async publish(): Promise<void> {
    try {
      if (this.publisher) await this.publisher.publish(this.channel, this.selfId);
      else if (this.config.isPostgres) await this.notifyPostgres();
    } catch (error) {
      // The others learn within the cache's TTL instead.
      this.logger.warn(`Could not tell other instances of a credential change: ${String(error)}`);
    }
  }
}
