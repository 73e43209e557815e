import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { PeriodicCleanup } from '../../core/database/periodic-cleanup';
import { Clock } from '../../core/time/clock';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** GitHub lets an owner redeliver a delivery for three days; a replay is refused at least that long. */
export const DELIVERY_MEMORY_MS = 3 * 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Each delivery id is accepted once. The claim is an insert on the primary key, so of two instances
 * (or two requests) receiving the same delivery exactly one wins. The sweep is a plain delete by age:
 * idempotent, so every instance may run it.
 */
@Injectable()
export class WebhookDeliveries implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhook');
  private readonly cleanup = new PeriodicCleanup(SWEEP_EVERY_MS, () => this.sweep());

  constructor(
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  /** True the first time this id is seen; false for a delivery already received. */
  async claim(id: string, event: string): Promise<boolean> {
    // Looked up first so an ordinary replay is not a failed insert (and an error in the log); the
    // insert still decides between requests racing on the same id.
    if (await this.deliveries.exists({ where: { id } })) return false;
    try {
      await this.deliveries.insert({
        id,
        event: event.slice(0, 50),
        receivedAt: new Date(this.clock.now()),
      });
      return true;
    } catch (error) {
      if (await this.deliveries.exists({ where: { id } })) return false;
      throw error;
    }
  }

  /** A delivery whose handling failed may come again (GitHub's redeliver): its id is released. */
  async release(id: string): Promise<void> {
    await this.deliveries.delete({ id });
  }

  async sweep(): Promise<number> {
    try {
      const result = await this.deliveries.delete({
        receivedAt: LessThan(new Date(this.clock.now() - DELIVERY_MEMORY_MS)),
      });
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn(`Could not sweep old webhook deliveries: ${String(error)}`);
      return 0;
    }
  }
}
