import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A runtime setting changed by an administrator. One row per changed key; no row = the environment's
 * value is in force. The database is the truth that every instance sharing it reads.
 */
@Entity('runtime_settings')
export class RuntimeSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  /** The typed value as JSON (number, boolean, text or list of text). */
  @Column({ type: 'simple-json' })
  value!: string | number | boolean | string[];

  @UpdateDateColumn()
  updatedAt!: Date;
}
