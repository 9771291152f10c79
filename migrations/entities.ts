import type { DataSourceOptions } from 'typeorm';

// Entities known to the TypeORM CLI. Add each new entity here.
export const CLI_ENTITIES: NonNullable<DataSourceOptions['entities']> = [];
