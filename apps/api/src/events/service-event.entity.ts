import type { ServiceEventKind } from '@mcp-proxy/shared/dto';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One service status change worth telling (crashed, failed, restarting, running, stopped), as the dashboard
 * lists them. Shared by every instance (each row names the one whose supervisor saw it); the newest
 * SERVICE_EVENTS_KEPT are kept.
 */
@Entity('service_events')
@Index('IDX_service_events_at', ['at', 'id'])
@Index('IDX_service_events_service_at', ['serviceId', 'at'])
export class ServiceEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 100 })
  instance!: string;

  @Column({ type: 'varchar', length: 100 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 200 })
  serviceName!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ServiceEventKind;

  @Column({ type: 'varchar', length: 500 })
  message!: string;
}
