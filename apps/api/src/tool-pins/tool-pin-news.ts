import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../core/config/app-config';

/** Emitted here when another instance changed a service's pins (`{ serviceId }`), or `{ serviceId: null }`: re-read them all. */
export const TOOL_PIN_NEWS = 'tool-pins.news';

/** Without Redis on PostgreSQL, instances cannot tell each other: each re-reads the pins this often. */
export const PIN_REFRESH_MS = 10_000;

/**
 * News that a service's pins changed (an approval, a deployment's tools pinned), for the instance that runs the
 * service, which holds its pins in memory: published on `<CLUSTER_KEY_PREFIX>:tool-pins` with REDIS_URL; with
 * PostgreSQL and no Redis every instance re-reads the pins every PIN_REFRESH_MS instead; SQLite is one instance.
 */
@Injectable()
export class ToolPinNews implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ToolPinNews');
  private readonly selfId = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly emitter: EventEmitter2,
  ) {}

  private get channel(): string {
    return `${this.config.get('CLUSTER_KEY_PREFIX')}:tool-pins`;
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.get('REDIS_URL');
    if (url) await this.listenOnRedis(url);
    else if (this.config.isPostgres) {
      this.timer = setInterval(() => this.emitter.emit(TOOL_PIN_NEWS, { serviceId: null }), PIN_REFRESH_MS);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.publisher, this.subscriber].map((client) => client?.quit().catch(() => undefined)));
  }

  /** Tells the other instances; resolves once Redis took the message (or failed: they re-read at their next news). */
  async publish(serviceId: string): Promise<void> {
    if (!this.publisher) return;
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ from: this.selfId, serviceId }));
    } catch (error) {
      this.logger.warn(`Could not tell other instances that the tool pins of ${serviceId} changed: ${String(error)}`);
    }
  }

  private async listenOnRedis(url: string): Promise<void> {
    // Loaded only when configured, like the rate limiter's client.
    const { default: RedisClient } = await import('ioredis');
    this.publisher = new RedisClient(url, { maxRetriesPerRequest: 2 });
    const subscriber = new RedisClient(url, { maxRetriesPerRequest: 2 });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        const message = JSON.parse(raw) as { from?: unknown; serviceId?: unknown };
        if (message.from !== this.selfId && typeof message.serviceId === 'string')
          this.emitter.emit(TOOL_PIN_NEWS, { serviceId: message.serviceId });
      } catch {
        // not one of ours
      }
    });
    // After a reconnect, whatever was said meanwhile is read again from the database.
    let subscribed = false;
    subscriber.on('ready', () => {
      if (subscribed) this.emitter.emit(TOOL_PIN_NEWS, { serviceId: null });
    });
    subscriber.on('error', () => undefined);
    this.publisher.on('error', () => undefined);
    try {
      await subscriber.subscribe(this.channel);
      subscribed = true;
    } catch (error) {
      this.logger.warn(`Not listening for tool pin changes of other instances: ${String(error)}`);
    }
  }
}
