/**
 * Entry point for the TypeORM CLI (`npm run db:generate`, `npm run db:migrate`); the app itself
 * builds its data source in DatabaseModule. Lists every entity, since the CLI has no Nest modules.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from './core/config/env.schema';
import { dataSourceOptions } from './core/database/data-source-options';
import { ENTITIES } from './entities';

export { ENTITIES };

// The CLI runs outside Nest, so it validates the environment itself.
export default new DataSource(dataSourceOptions(validateEnv(process.env).DATABASE_URL, ENTITIES));
