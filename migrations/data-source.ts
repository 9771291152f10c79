// Data source for the TypeORM CLI (npm run migration:*). Entities are listed so
// that migration:generate can diff them against the schema.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '../libs/database/src/typeorm-options';
import { CLI_ENTITIES } from './entities';

const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL must be set for the migration commands (e.g. postgres://postgres@127.0.0.1:5432/broker)',
  );
}

export default new DataSource({ ...buildTypeOrmOptions({ url }), entities: CLI_ENTITIES });
