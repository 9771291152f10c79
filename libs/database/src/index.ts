export * from './database.module';
export * from './embedded-postgres';
export * from './migrate';
export * from './notifications';
export * from './snake-naming.strategy';
export * from './typeorm-options';
