import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { loadEnvironment } from './platform/config';
import { dataSourceOptions } from './platform/database';

/**
 * The data source of the TypeORM CLI (`npm run migration:*`), built from dist/. It needs DATABASE_URL;
 * `npm run migration:generate` starts a throwaway embedded server itself (scripts/with-database.js).
 */
const env = loadEnvironment();
if (!env.DATABASE_URL) throw new Error('DATABASE_URL must be set for the TypeORM CLI');
export default new DataSource(dataSourceOptions(env.DATABASE_URL, ENTITIES));
