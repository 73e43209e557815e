import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type HistoryResolution = '1m' | '1h';

/**
 * One service's figures over one minute (`1m`, kept 24 h) or one hour (`1h`, kept 30 days), as one instance
 * saw them. Rows are keyed by instance and merged on read, so instances never write the same row; an hour
 * row is made from the minute rows of the same instance. Sums and counts, never averages, so any number
 * of rows merge exactly.
 */
@Entity('metrics_history')
@Index('IDX_metrics_history_resolution_at', ['resolution', 'at'])
export class MetricsHistoryEntity {
  @PrimaryColumn({ type: 'varchar', length: 4 })
  resolution!: HistoryResolution;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  serviceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  instance!: string;

  /** Start of the minute or hour. */
  @PrimaryColumn({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 200 })
  serviceName!: string;

  @Column({ type: 'integer' })
  calls!: number;

  /** JSON-RPC errors and tool results with `isError: true`. */
  @Column({ type: 'integer' })
  errors!: number;

  /** Latency bucket counts (LatencyHistogram's buckets) as sparse JSON `{"index": count}`. */
  @Column({ type: 'text' })
  latency!: string;

  /** Process samples taken (each with CPU and memory), and their sums. */
  @Column({ type: 'integer' })
  samples!: number;

  @Column({ type: 'double precision' })
  cpuSum!: number;

  @Column({ type: 'double precision' })
  rssSum!: number;
}
