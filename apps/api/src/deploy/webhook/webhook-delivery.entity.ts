import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A GitHub webhook delivery already acted on, by its `X-GitHub-Delivery` id. In the database, so a
 * captured delivery sent again is refused after a restart and by every instance; swept after a few days.
 */
@Entity('webhook_deliveries')
@Index(['receivedAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  @Column({ type: 'varchar', length: 50 })
  event!: string;

  @Column({ type: Date })
  receivedAt!: Date;
}
