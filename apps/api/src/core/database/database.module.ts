import { Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Pending migrations run on start; the schema is never synchronized from entities. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.get('DATABASE_URL')),
        autoLoadEntities: true,
        migrationsRun: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * SQLite in WAL mode with synchronous=NORMAL syncs the log at checkpoints rather than at every commit: a power
   * loss may cost the last commits, never the database's consistency (https://sqlite.org/wal.html#performance).
   */
  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type === 'sqlite') await this.dataSource.query('PRAGMA synchronous = NORMAL');
  }
}
